'use client';

import type { Editor } from '@tiptap/core';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { ApiError, displayTitle, errorMessage, useDocument } from './api';
import { CollaborativeEditor } from './editor/CollaborativeEditor';
import { KnowledgePanel } from './knowledge/KnowledgePanel';
import { followBlockHash } from './scrollToBlock';
import { useLocalProfile } from './useLocalProfile';

/** The editor page: breadcrumb with the live title, then the collaborative editor. */
export function DocumentView({ documentId }: { documentId: string }) {
  const document = useDocument(documentId);
  const { profile } = useLocalProfile();
  // undefined until the editor has synced; then the editor's own idea of the title.
  const [liveTitle, setLiveTitle] = useState<string | null | undefined>(undefined);
  const [editor, setEditor] = useState<Editor | null>(null);

  const title = liveTitle !== undefined ? displayTitle(liveTitle) : document.data ? displayTitle(document.data.title) : null;

  useEffect(() => {
    if (title !== null) window.document.title = `${title} · Knowledge OS`;
  }, [title]);

  useEffect(() => (editor ? followBlockHash() : undefined), [editor]);

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
      </nav>
      {document.isError ? (
        <p className="notice notice-error" role="alert" data-testid="document-error">
          Could not load this document’s details: {errorMessage(document.error)}
        </p>
      ) : null}
      <div className="document-columns">
        {profile ? (
          <CollaborativeEditor documentId={documentId} user={profile} onTitleChange={setLiveTitle} onEditorChange={setEditor} />
        ) : (
          <div className="editor-skeleton" aria-busy="true" />
        )}
        <KnowledgePanel documentId={documentId} editor={editor} />
      </div>
    </main>
  );
}
