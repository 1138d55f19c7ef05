'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { displayTitle, errorMessage, useCreateDocument, useDocuments, useMe, type DocumentSummary } from '../api';
import { useCreateDomain, useDomains, type Domain } from '../domains/useDomains';
import { usePersonaView } from '../persona/PersonaPreview';

interface DomainGroup {
  domain: Domain | null;
  documents: DocumentSummary[];
}

function groupByDomain(domains: Domain[], documents: DocumentSummary[]): DomainGroup[] {
  const groups: DomainGroup[] = domains.map((domain) => ({
    domain,
    documents: documents.filter((document) => document.domainId === domain.id),
  }));
  const known = new Set(domains.map((domain) => domain.id));
  const unfiled = documents.filter((document) => !document.domainId || !known.has(document.domainId));
  if (unfiled.length > 0) groups.push({ domain: null, documents: unfiled });
  return groups;
}

function NewDomainForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const createDomain = useCreateDomain();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return;
    createDomain.mutate({ name: name.trim() }, { onSuccess: onDone });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') onDone();
  };
  return (
    <form className="sidebar-form" onSubmit={onSubmit} data-testid="new-domain-form">
      <label className="visually-hidden" htmlFor="new-domain-name">
        Domain name
      </label>
      <input
        id="new-domain-name"
        autoFocus
        maxLength={255}
        placeholder="e.g. Tax, Billing…"
        value={name}
        onChange={(event) => setName(event.target.value)}
        onKeyDown={onKeyDown}
        data-testid="new-domain-name"
      />
      {createDomain.isError ? (
        <p className="sidebar-error" role="alert">
          {errorMessage(createDomain.error)}
        </p>
      ) : null}
      <div className="sidebar-form-actions">
        <button type="submit" className="button button-small button-primary" disabled={createDomain.isPending || name.trim() === ''}>
          {createDomain.isPending ? 'Creating…' : 'Create'}
        </button>
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DomainSection({ group, canEdit, productOwner }: { group: DomainGroup; canEdit: boolean; productOwner: boolean }) {
  const [open, setOpen] = useState(true);
  const pathname = usePathname();
  const router = useRouter();
  const createDocument = useCreateDocument();
  const name = group.domain?.name ?? 'No domain';
  const domainId = group.domain?.id ?? null;
  const anchor = `/views/product#domain-${domainId ?? 'none'}`;

  const onCreate = () =>
    createDocument.mutate({ domainId }, { onSuccess: (document) => router.push(`/d/${encodeURIComponent(document.id)}`) });

  return (
    <li className="sidebar-domain" data-testid="sidebar-domain" data-domain-id={domainId ?? ''}>
      <div className="sidebar-domain-head">
        <button
          type="button"
          className="sidebar-disclosure"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          aria-label={open ? `Collapse ${name}` : `Expand ${name}`}
        >
          {open ? '▾' : '▸'}
        </button>
        {productOwner ? (
          <Link href={anchor} className="sidebar-domain-name">
            {name}
          </Link>
        ) : (
          <span className={group.domain ? 'sidebar-domain-name' : 'sidebar-domain-name is-unfiled'}>{name}</span>
        )}
        <span className="sidebar-count">{group.documents.length}</span>
        {canEdit ? (
          <button
            type="button"
            className="sidebar-add"
            title={`New document in ${name}`}
            aria-label={`New document in ${name}`}
            onClick={onCreate}
            disabled={createDocument.isPending}
            data-testid="sidebar-new-document"
          >
            +
          </button>
        ) : null}
      </div>
      {createDocument.isError ? (
        <p className="sidebar-error" role="alert">
          {errorMessage(createDocument.error)}
        </p>
      ) : null}
      {open ? (
        group.documents.length === 0 ? (
          <p className="sidebar-empty">No documents</p>
        ) : (
          <ul className="sidebar-documents">
            {group.documents.map((document) => {
              const href = `/d/${encodeURIComponent(document.id)}`;
              return (
                <li key={document.id}>
                  <Link
                    href={href}
                    className={pathname === href ? 'sidebar-link is-current' : 'sidebar-link'}
                    aria-current={pathname === href ? 'page' : undefined}
                    data-testid="sidebar-document"
                  >
                    {displayTitle(document.title)}
                  </Link>
                </li>
              );
            })}
          </ul>
        )
      ) : null}
    </li>
  );
}

/** Navigation, then the organisation's domains with their documents. */
export function Sidebar() {
  const me = useMe();
  const pathname = usePathname();
  const { view, canEdit, isAdmin } = usePersonaView();
  const hasOrganisation = Boolean(me.data?.tenant);
  const domains = useDomains(hasOrganisation);
  const documents = useDocuments();
  const [adding, setAdding] = useState(false);
  const productOwner = view === 'product_owner';

  const navLink = (href: string, label: string, testId: string) => (
    <Link
      href={href}
      className={pathname === href ? 'sidebar-link is-current' : 'sidebar-link'}
      aria-current={pathname === href ? 'page' : undefined}
      data-testid={testId}
    >
      {label}
    </Link>
  );

  return (
    <nav className="sidebar" aria-label="Workspace" data-testid="sidebar">
      <ul className="sidebar-nav">
        <li>{navLink('/', 'All documents', 'nav-documents')}</li>
        <li>{navLink('/views/product', 'Product view', 'nav-product-view')}</li>
        {isAdmin ? <li>{navLink('/settings/members', 'Members', 'nav-members')}</li> : null}
        <li>{navLink('/settings/account', 'Your account', 'nav-account')}</li>
        {isAdmin ? <li>{navLink('/admin/audit', 'Audit log', 'nav-audit')}</li> : null}
      </ul>

      <div className="sidebar-heading">
        <h2>Domains</h2>
        {canEdit && !adding ? (
          <button type="button" className="sidebar-add" onClick={() => setAdding(true)} title="New domain" aria-label="New domain" data-testid="new-domain">
            +
          </button>
        ) : null}
      </div>
      {adding ? <NewDomainForm onDone={() => setAdding(false)} /> : null}

      {domains.isPending || documents.isPending ? (
        <div className="sidebar-skeleton" aria-busy="true" aria-label="Loading domains">
          <span className="skeleton-line" style={{ width: '70%' }} />
          <span className="skeleton-line" style={{ width: '55%' }} />
        </div>
      ) : domains.isError || documents.isError ? (
        <div className="sidebar-error" role="alert">
          <p>Could not load domains: {errorMessage(domains.error ?? documents.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              void domains.refetch();
              void documents.refetch();
            }}
          >
            Try again
          </button>
        </div>
      ) : (
        <>
          {domains.data.length === 0 ? (
            <p className="sidebar-empty" data-testid="domains-empty">
              {canEdit ? 'No domains yet. Add one (tax, compliance, billing…) to file documents under it.' : 'No domains yet.'}
            </p>
          ) : null}
          <ul className="sidebar-domains">
            {groupByDomain(domains.data, documents.data).map((group) => (
              <DomainSection key={group.domain?.id ?? 'none'} group={group} canEdit={canEdit} productOwner={productOwner} />
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
