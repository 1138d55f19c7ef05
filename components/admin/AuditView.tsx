'use client';

import { useState } from 'react';
import { ApiError, errorMessage, useMe } from '../api';
import { AUDIT_ACTIONS, AUDIT_RESOURCE_TYPES, useAudit, useMembers, type AuditEntry, type AuditFilters } from '../account/useAccount';
import { usePersonaView } from '../persona/PersonaPreview';

const EMPTY_FILTERS: AuditFilters = { userId: '', resourceType: '', action: '', since: '', until: '' };
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const ACTION_WORDS: Record<string, string> = { INSERT: 'created', UPDATE: 'changed', DELETE: 'deleted', EDIT: 'edited' };

// Always the admin's own organisation, or shown beside the resource already.
const HIDDEN_FIELDS = new Set(['tenant_id', 'id']);

/** The fields that differ between old and new values, as "field: old → new". */
function changes(entry: AuditEntry): string[] {
  const record = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
  const before = record(entry.oldValues);
  const after = record(entry.newValues);
  const show = (value: unknown) => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !HIDDEN_FIELDS.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .slice(0, 6)
    .map((key) => `${key}: ${show(before[key])} → ${show(after[key])}`);
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const diff = changes(entry);
  return (
    <tr data-testid="audit-entry">
      <td className="audit-time">
        <time dateTime={entry.createdAt}>{when.format(new Date(entry.createdAt))}</time>
      </td>
      <td>{entry.userName ?? <span className="knowledge-hint">system</span>}</td>
      <td>
        <span className={`audit-action is-${entry.action.toLowerCase()}`}>{ACTION_WORDS[entry.action] ?? entry.action}</span>{' '}
        {entry.resourceType}
        {entry.resourceId ? <code className="audit-id" title={entry.resourceId}>{entry.resourceId.slice(0, 8)}</code> : null}
      </td>
      <td className="audit-changes">
        {diff.length === 0 ? <span className="knowledge-hint">—</span> : diff.map((line) => <div key={line}>{line}</div>)}
      </td>
    </tr>
  );
}

/** Admins: who changed what and when, newest first, with filters and "load more". */
export function AuditView() {
  const { isAdmin } = usePersonaView();
  const me = useMe();
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_FILTERS);
  const members = useMembers();
  const audit = useAudit(filters);
  const set = (key: keyof AuditFilters) => (value: string) => setFilters((current) => ({ ...current, [key]: value }));
  const entries = audit.data?.pages.flat() ?? [];
  const filtered = Object.values(filters).some((value) => value !== '');

  if (me.data && !isAdmin) {
    return (
      <main className="page">
        <div className="empty-state" data-testid="admin-only">
          <p className="empty-state-title">Admins only</p>
          <p>The audit log of {me.data.tenant?.name ?? 'your organisation'} is visible to its admins.</p>
        </div>
      </main>
    );
  }

  return (
    <main className="page page-wide" data-testid="audit-page">
      <div className="page-heading">
        <h1>Audit log</h1>
      </div>
      <form className="audit-filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter the audit log">
        <label>
          Who
          <select value={filters.userId} onChange={(event) => set('userId')(event.target.value)} data-testid="audit-user">
            <option value="">Everyone</option>
            {members.data?.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          What
          <select value={filters.resourceType} onChange={(event) => set('resourceType')(event.target.value)} data-testid="audit-resource">
            <option value="">Everything</option>
            {AUDIT_RESOURCE_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action
          <select value={filters.action} onChange={(event) => set('action')(event.target.value)} data-testid="audit-action">
            <option value="">Any</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {ACTION_WORDS[action]}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={filters.since} max={filters.until || undefined} onChange={(event) => set('since')(event.target.value)} data-testid="audit-since" />
        </label>
        <label>
          To
          <input type="date" value={filters.until} min={filters.since || undefined} onChange={(event) => set('until')(event.target.value)} data-testid="audit-until" />
        </label>
        {filtered ? (
          <button type="button" className="button button-small" onClick={() => setFilters(EMPTY_FILTERS)}>
            Clear filters
          </button>
        ) : null}
      </form>

      {audit.isPending ? (
        <div aria-busy="true" aria-label="Loading the audit log" className="knowledge-skeleton">
          <span className="skeleton-line" style={{ width: '90%' }} />
          <span className="skeleton-line" style={{ width: '85%' }} />
          <span className="skeleton-line" style={{ width: '80%' }} />
        </div>
      ) : audit.isError && audit.data === undefined ? (
        <div className="notice notice-error" role="alert">
          <p>
            {audit.error instanceof ApiError && audit.error.status === 400
              ? `These filters cannot be used: ${audit.error.message}`
              : `Could not load the audit log: ${errorMessage(audit.error)}`}
          </p>
          <button type="button" className="button" onClick={() => void audit.refetch()}>
            Try again
          </button>
        </div>
      ) : entries.length === 0 ? (
        <div className="empty-state" data-testid="audit-empty">
          <p className="empty-state-title">{filtered ? 'Nothing matches these filters' : 'Nothing recorded yet'}</p>
          <p>{filtered ? 'Widen the dates or clear a filter.' : 'Changes to documents, domains, atoms and members appear here.'}</p>
        </div>
      ) : (
        <>
          <table className="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <AuditRow key={String(entry.id)} entry={entry} />
              ))}
            </tbody>
          </table>
          {audit.hasNextPage ? (
            <button
              type="button"
              className="button audit-more"
              data-testid="audit-load-more"
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              {audit.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          ) : (
            <p className="knowledge-hint audit-end">That is everything{filtered ? ' matching these filters' : ''}.</p>
          )}
          {audit.isFetchNextPageError ? (
            <p className="notice notice-error" role="alert">
              Could not load more. Try “Load more” again.
            </p>
          ) : null}
        </>
      )}
    </main>
  );
}
