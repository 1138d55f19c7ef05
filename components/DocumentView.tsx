'use client';

import type { Editor } from '@tiptap/core';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { PERSONA_NOUNS, type Persona } from '@/lib/account/personas';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, displayTitle, errorMessage, queryKeys, useDocument, useFileDocument, type DocumentSummary } from './api';
import { useDomains } from './domains/useDomains';
import { CollaborativeEditor } from './editor/CollaborativeEditor';
import { KnowledgePanel, type KnowledgePanelMode } from './knowledge/KnowledgePanel';
import { usePersonaView } from './persona/PersonaPreview';
import { followBlockHash } from './scrollToBlock';
import { useLocalProfile } from './useLocalProfile';

const PANEL_MODES: Record<Persona, KnowledgePanelMode> = {
  domain_expert: 'expert',
  developer: 'developer',
  product_owner: 'product',
};

/** Where the document is filed; a domain expert can move it to another domain (or none). */
function DomainPicker({ documentId, domainId, canEdit }: { documentId: string; domainId: string | null; canEdit: boolean }) {
  const domains = useDomains();
  const fileDocument = useFileDocument(documentId);
  const current = domains.data?.find((domain) => domain.id === domainId);
  if (!canEdit) {
    return current ? (
      <span className="document-domain" data-testid="document-domain">
        in {current.name}
      </span>
    ) : null;
  }
  return (
    <span className="document-domain">
      <label>
        <span className="visually-hidden">Domain</span>
        <select
          data-testid="document-domain-select"
          value={domainId ?? ''}
          disabled={domains.isPending || fileDocument.isPending}
          onChange={(event) => fileDocument.mutate(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">No domain</option>
          {domains.data?.map((domain) => (
            <option key={domain.id} value={domain.id}>
              {domain.name}
            </option>
          ))}
        </select>
      </label>
      {fileDocument.isError ? (
        <span className="inline-error" role="alert">
          {errorMessage(fileDocument.error)}
        </span>
      ) : null}
    </span>
  );
}

/** The editor page: breadcrumb with the live title, then the collaborative editor. */
export function DocumentView({ documentId }: { documentId: string }) {
  const document = useDocument(documentId);
  const { profile } = useLocalProfile();
  const { view, canEdit, membership } = usePersonaView();
  const codePersona = (persona: Persona | null) => persona === 'developer' || persona === 'domain_expert';
  const canLinkCode = codePersona(membership) && codePersona(view);
  const readOnly = canEdit ? null : `read only (${view ? PERSONA_NOUNS[view] : 'reader'})`;
  // undefined until the editor has synced; then the editor's own idea of the title.
  const [liveTitle, setLiveTitle] = useState<string | null | undefined>(undefined);
  const [editor, setEditor] = useState<Editor | null>(null);

  const title = liveTitle !== undefined ? displayTitle(liveTitle) : document.data ? displayTitle(document.data.title) : null;

  useEffect(() => {
    if (title !== null) window.document.title = `${title} · Knowledge OS`;
  }, [title]);

  useEffect(() => (editor ? followBlockHash() : undefined), [editor]);

  // The sidebar and the list show the title as it is typed, not as it was when they loaded.
  const queryClient = useQueryClient();
  useEffect(() => {
    if (liveTitle === undefined) return;
    queryClient.setQueryData<DocumentSummary[]>(queryKeys.documents, (list) =>
      list?.some((d) => d.id === documentId && d.title !== liveTitle)
        ? list.map((d) => (d.id === documentId ? { ...d, title: liveTitle } : d))
        : list,
    );
  }, [queryClient, documentId, liveTitle]);

  if (document.error instanceof ApiError && document.error.status === 404) {
    return (
      <main className="page">
        <div className="empty-state" data-testid="document-not-found">
          <p className="empty-state-title">Document not found</p>
          <p>{document.error.message}</p>
          <Link href="/" className="button">
            Back to documents
          </Link>
        </div>
      </main>
    );
  }

  return (
    <main className="page page-document page-document-knowledge">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/">Documents</Link>
        <span aria-hidden="true">/</span>
        {title === null ? (
          <span className="skeleton-line breadcrumb-skeleton" />
        ) : (
          <span className={title === 'Untitled' ? 'breadcrumb-current is-untitled' : 'breadcrumb-current'} data-testid="document-title">
            {title}
          </span>
        )}
        {document.data ? <DomainPicker documentId={documentId} domainId={document.data.domainId ?? null} canEdit={canEdit} /> : null}
      </nav>
      {document.isError ? (
        <p className="notice notice-error" role="alert" data-testid="document-error">
          Could not load this document’s details: {errorMessage(document.error)}
        </p>
      ) : null}
      <div className="document-columns">
        {profile ? (
          <CollaborativeEditor
            documentId={documentId}
            user={profile}
            onTitleChange={setLiveTitle}
            onEditorChange={setEditor}
            readOnly={readOnly}
          />
        ) : (
          <div className="editor-skeleton" aria-busy="true" />
        )}
        <KnowledgePanel
          documentId={documentId}
          editor={editor}
          mode={view ? PANEL_MODES[view] : 'expert'}
          canEdit={canEdit}
          canLinkCode={canLinkCode}
        />
      </div>
    </main>
  );
}
