'use client';

import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import { buildExtensions, type CollaborationUser } from '@/lib/editor/extensions';
import type { SlashInputRequest } from '@/lib/editor/slashCommand';
import { documentTitleFromNode } from '@/lib/editor/title';
import { BlockDragHandle } from './BlockDragHandle';
import { BlockInputPrompt } from './BlockInputPrompt';
import { ConnectionStatus } from './ConnectionStatus';
import { PresenceList } from './PresenceList';
import { renderSlashMenu } from './SlashMenu';
import { useCollabConnection } from './useCollabConnection';
import { useCollabSession, type CollabSession } from './useCollabSession';
import { useSocketLiveness } from './useSocketLiveness';

export interface CollaborativeEditorProps {
  documentId: string;
  user: CollaborationUser;
  /** The live title (first non-empty text block), reported once the document has synced. */
  onTitleChange?: (title: string | null) => void;
  /** The editor once created (null again when it goes away), for panels that work on it. */
  onEditorChange?: (editor: Editor | null) => void;
  /**
   * Never editable: the persona may only read (the server would close the connection with 4403
   * on a change). The label says why, e.g. "read only (developer)".
   */
  readOnly?: string | null;
}

function EditorSkeleton() {
  return (
    <div className="editor-skeleton" data-testid="editor-skeleton" aria-busy="true" aria-label="Loading document">
      <span className="skeleton-line skeleton-heading" />
      <span className="skeleton-line" style={{ width: '92%' }} />
      <span className="skeleton-line" style={{ width: '80%' }} />
      <span className="skeleton-line" style={{ width: '64%' }} />
    </div>
  );
}

function useDocumentTitle(editor: Editor | null): string | null {
  return useEditorState({
    editor,
    selector: ({ editor: current }) => (current ? documentTitleFromNode(current.state.doc) : null),
  });
}

function EditorSession({ session, user, onTitleChange, onEditorChange, readOnly }: { session: CollabSession } & Omit<CollaborativeEditorProps, 'documentId'>) {
  const { ydoc, provider } = session;
  const connection = useCollabConnection(provider);
  const socket = useSocketLiveness(provider, ydoc);
  const [inputRequest, setInputRequest] = useState<SlashInputRequest | null>(null);
  // The caret label starts with the user at creation; later renames go through updateUser.
  const [initialUser] = useState(user);
  const canEdit = !readOnly && connection.hasSynced && connection.kind !== 'closed';

  const extensions = useMemo(
    () =>
      buildExtensions({
        ydoc,
        provider,
        user: initialUser,
        slashMenu: { render: renderSlashMenu, onRequestInput: setInputRequest },
      }),
    [ydoc, provider, initialUser],
  );

  const editor = useEditor(
    {
      immediatelyRender: false,
      // Typing before the first sync would be merged in front of the real content.
      editable: canEdit,
      extensions,
      editorProps: {
        attributes: { class: 'kos-prose', 'aria-label': 'Document', spellcheck: 'true' },
      },
    },
    [extensions],
  );

  useEffect(() => {
    if (editor && !editor.isDestroyed && editor.isEditable !== canEdit) editor.setEditable(canEdit, false);
  }, [editor, canEdit]);

  useEffect(() => {
    if (editor && !editor.isDestroyed) editor.commands.updateUser({ name: user.name, color: user.color });
  }, [editor, user.name, user.color]);

  useEffect(() => {
    if (!editor) return;
    onEditorChange?.(editor);
    return () => onEditorChange?.(null);
  }, [editor, onEditorChange]);

  const title = useDocumentTitle(editor);
  useEffect(() => {
    if (connection.hasSynced) onTitleChange?.(title);
  }, [title, connection.hasSynced, onTitleChange]);

  // Clicking the empty page below the last block puts the caret at the end, as in Notion.
  const onSurfaceMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    if (!editor || !canEdit || event.target !== event.currentTarget) return;
    event.preventDefault();
    editor.commands.focus('end');
  };

  return (
    <div className="editor-shell">
      <div className="editor-bar">
        <ConnectionStatus connection={connection} socket={socket} />
        {readOnly ? (
          <span className="read-only-badge" data-testid="read-only-badge" title="You can read this document but not change it.">
            {readOnly}
          </span>
        ) : null}
        <PresenceList provider={provider} />
      </div>
      {connection.kind === 'closed' ? (
        <div className="notice notice-error" role="alert" data-testid="editor-closed">
          {connection.message}
        </div>
      ) : null}
      {!connection.hasSynced && connection.kind !== 'closed' ? <EditorSkeleton /> : null}
      <div
        className="editor-surface"
        data-testid="editor"
        data-editable={canEdit ? 'true' : 'false'}
        hidden={!connection.hasSynced}
        onMouseDown={onSurfaceMouseDown}
      >
        <EditorContent editor={editor} />
        {editor && canEdit ? <BlockDragHandle editor={editor} /> : null}
      </div>
      {editor && inputRequest ? (
        <BlockInputPrompt
          key={inputRequest.command.blockType}
          editor={editor}
          command={inputRequest.command}
          onClose={() => setInputRequest(null)}
        />
      ) : null}
    </div>
  );
}

/** A document edited together: Yjs over the collaboration websocket, with carets and presence. */
export function CollaborativeEditor({ documentId, user, onTitleChange, onEditorChange, readOnly }: CollaborativeEditorProps) {
  const session = useCollabSession(documentId);
  if (!session) {
    return (
      <div className="editor-shell">
        <div className="editor-bar">
          <div className="connection-status is-connecting" data-testid="connection-status" data-state="connecting">
            <span className="connection-dot" aria-hidden="true" />
            <span className="connection-label">Connecting…</span>
          </div>
        </div>
        <EditorSkeleton />
      </div>
    );
  }
  return (
    <EditorSession
      key={session.key}
      session={session}
      user={user}
      onTitleChange={onTitleChange}
      onEditorChange={onEditorChange}
      readOnly={readOnly}
    />
  );
}
