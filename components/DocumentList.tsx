'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { PERSONA_NOUNS } from '@/lib/account/personas';
import { displayTitle, errorMessage, useCreateDocument, useDocuments, type DocumentSummary } from './api';
import { usePersonaView } from './persona/PersonaPreview';

const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absoluteTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const STEPS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

function editedAgo(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  const seconds = Math.round((time - Date.now()) / 1000);
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) return `Edited ${relativeTime.format(Math.round(seconds / size), unit)}`;
  }
  return 'Edited just now';
}

function DocumentRow({ document }: { document: DocumentSummary }) {
  const parsed = Date.parse(document.updatedAt);
  return (
    <li>
      <Link href={`/d/${encodeURIComponent(document.id)}`} className="document-row" data-testid="document-link">
        <svg className="document-row-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M4 1.5h5.5L13 5v9.5H4z" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinejoin="round" />
          <path d="M9.5 1.5V5H13M6 8h5M6 10.5h5" fill="none" stroke="currentColor" strokeWidth="1.2" />
        </svg>
        <span className={document.title?.trim() ? 'document-row-title' : 'document-row-title is-untitled'}>
          {displayTitle(document.title)}
        </span>
        <time
          className="document-row-time"
          dateTime={document.updatedAt}
          title={Number.isNaN(parsed) ? undefined : absoluteTime.format(parsed)}
        >
          {editedAgo(document.updatedAt)}
        </time>
      </Link>
    </li>
  );
}

export function DocumentList() {
  const documents = useDocuments();
  const createDocument = useCreateDocument();
  const router = useRouter();
  const { canEdit, view } = usePersonaView();

  const onCreate = () => {
    createDocument.mutate(
      {},
      { onSuccess: (document) => router.push(`/d/${encodeURIComponent(document.id)}`) },
    );
  };

  return (
    <main className="page">
      <div className="page-heading">
        <h1>Documents</h1>
        {canEdit ? (
        <button
          type="button"
          className="button button-primary"
          data-testid="new-document"
          onClick={onCreate}
          disabled={createDocument.isPending}
        >
          {createDocument.isPending ? 'Creating…' : '+ New document'}
        </button>
        ) : view ? (
          <span className="read-only-badge" data-testid="read-only-badge">
            read only ({PERSONA_NOUNS[view]})
          </span>
        ) : null}
      </div>

      {createDocument.isError ? (
        <p className="notice notice-error" role="alert" data-testid="create-error">
          Could not create a document: {errorMessage(createDocument.error)}
        </p>
      ) : null}

      {documents.isPending ? (
        <ul className="document-list" data-testid="documents-loading" aria-busy="true" aria-label="Loading documents">
          {[0, 1, 2].map((row) => (
            <li key={row} className="document-row is-skeleton">
              <span className="skeleton-line" style={{ width: `${50 + row * 12}%` }} />
            </li>
          ))}
        </ul>
      ) : documents.isError ? (
        <div className="notice notice-error" role="alert" data-testid="documents-error">
          <p>Could not load your documents: {errorMessage(documents.error)}</p>
          <button type="button" className="button" onClick={() => void documents.refetch()}>
            Try again
          </button>
        </div>
      ) : documents.data.length === 0 ? (
        <div className="empty-state" data-testid="documents-empty">
          <p className="empty-state-title">No documents yet</p>
          <p>
            {canEdit
              ? 'Create one with “New document”. Type “/” in it to add headings, lists, tables and more.'
              : 'Domain experts write the documents; they appear here as soon as they exist.'}
          </p>
        </div>
      ) : (
        <ul className="document-list">
          {documents.data.map((document) => (
            <DocumentRow key={document.id} document={document} />
          ))}
        </ul>
      )}
    </main>
  );
}
