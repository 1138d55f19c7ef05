'use client';

import type { Editor } from '@tiptap/core';
import { useEffect, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { selectionInBlock, type TextSelectionInBlock } from '@/lib/editor/annotations';
import type { AtomTypeName } from '@/lib/knowledge/dto';
import { ApiError, errorMessage } from '../api';
import { ATOM_TYPE_LABELS, ATOM_TYPES } from './format';
import { useMarkAsAtom } from './useDocumentKnowledge';

const DIALOG_WIDTH = 320;
const MAX_NAME_LENGTH = 200;

function currentSelection(editor: Editor): TextSelectionInBlock | null {
  if (editor.isDestroyed || !editor.isEditable) return null;
  const { from, to } = editor.state.selection;
  return selectionInBlock(editor.state.doc, from, to);
}

/** Viewport position just below the end of the selection. */
function belowSelection(editor: Editor, target: TextSelectionInBlock, width: number): { top: number; left: number } {
  try {
    const end = editor.view.coordsAtPos(target.to);
    return { top: end.bottom + 6, left: Math.max(8, Math.min(end.left, window.innerWidth - width - 8)) };
  } catch {
    return { top: 120, left: 120 };
  }
}

function sameSelection(a: TextSelectionInBlock | null, b: TextSelectionInBlock | null): boolean {
  return a?.from === b?.from && a?.to === b?.to && a?.blockId === b?.blockId;
}

/**
 * "Mark as atom": a small button beside a text selection inside one block (or Mod-Shift-A) opens
 * a form for the atom's type and name; the server checks the quote still matches.
 */
export function MarkAsAtom({ editor, documentId }: { editor: Editor; documentId: string }) {
  const [selection, setSelection] = useState<TextSelectionInBlock | null>(null);
  const [focused, setFocused] = useState(false);
  const [target, setTarget] = useState<TextSelectionInBlock | null>(null);
  const [, setScrolled] = useState(0);

  useEffect(() => {
    const update = () => setSelection((previous) => {
      const next = currentSelection(editor);
      return sameSelection(previous, next) ? previous : next;
    });
    const onFocus = () => setFocused(true);
    const onBlur = () => setFocused(false);
    const onScroll = () => setScrolled((count) => count + 1);
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.metaKey || event.ctrlKey) || !event.shiftKey || event.key.toLowerCase() !== 'a') return;
      const next = currentSelection(editor);
      if (!next) return;
      event.preventDefault();
      setTarget(next);
    };
    const dom = editor.view.dom;
    editor.on('transaction', update);
    editor.on('focus', onFocus);
    editor.on('blur', onBlur);
    dom.addEventListener('keydown', onKeyDown);
    window.addEventListener('scroll', onScroll, { passive: true });
    setFocused(editor.isFocused);
    update();
    return () => {
      editor.off('transaction', update);
      editor.off('focus', onFocus);
      editor.off('blur', onBlur);
      dom.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('scroll', onScroll);
    };
  }, [editor]);

  if (target) {
    return (
      <MarkAsAtomDialog
        editor={editor}
        documentId={documentId}
        target={target}
        onClose={() => {
          setTarget(null);
          editor.commands.focus();
        }}
      />
    );
  }
  if (!selection || !focused) return null;
  return (
    <button
      type="button"
      className="mark-as-atom-button"
      data-testid="mark-as-atom-button"
      style={belowSelection(editor, selection, 140)}
      // Keep the editor's focus and selection while clicking.
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => setTarget(selection)}
      title="Mark as atom (Ctrl/⌘ + Shift + A)"
    >
      Mark as atom
    </button>
  );
}

function guessType(quote: string): AtomTypeName {
  if (/^\s*[-+]?[$€£]?\s?\d[\d,.\s]*%?\s*$/.test(quote)) return 'NumberAtom';
  if (/^\s*(true|false|yes|no)\s*$/i.test(quote)) return 'BooleanAtom';
  return 'TextAtom';
}

interface MarkAsAtomDialogProps {
  editor: Editor;
  documentId: string;
  target: TextSelectionInBlock;
  onClose: () => void;
}

export function MarkAsAtomDialog({ editor, documentId, target, onClose }: MarkAsAtomDialogProps) {
  const markAsAtom = useMarkAsAtom(documentId);
  const [type, setType] = useState<AtomTypeName>(() => guessType(target.quote));
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [position] = useState(() => belowSelection(editor, target, DIALOG_WIDTH));

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (markAsAtom.isPending) return;
    const trimmed = name.trim();
    const problem =
      trimmed === '' ? 'Give the atom a name.' : trimmed.length > MAX_NAME_LENGTH ? `Keep the name under ${MAX_NAME_LENGTH} characters.` : null;
    setError(problem);
    if (problem) return;
    const { blockId, start, end, quote } = target;
    markAsAtom.mutate(
      { blockId, start, end, quote, type, name: trimmed },
      {
        onSuccess: onClose,
        onError: (failure) =>
          setError(
            failure instanceof ApiError && failure.status === 409
              ? 'The text changed since you selected it. Select it again and retry.'
              : errorMessage(failure),
          ),
      },
    );
  };

  const onKeyDown = (event: ReactKeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Enter' && event.target instanceof HTMLSelectElement) {
      // Enter submits from every field, not only from the text input.
      event.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="block-input mark-as-atom-dialog"
      data-testid="mark-as-atom-dialog"
      role="dialog"
      aria-label="Mark as atom"
      style={{ top: position.top, left: position.left, width: DIALOG_WIDTH }}
      onSubmit={submit}
      onKeyDown={onKeyDown}
      noValidate
    >
      <div className="block-input-title">Mark as atom</div>
      <blockquote className="mark-as-atom-quote">{target.quote}</blockquote>
      <label className="block-input-field">
        <span>Type</span>
        <select data-testid="mark-as-atom-type" value={type} onChange={(event) => setType(ATOM_TYPES.find((t) => t === event.target.value) ?? 'TextAtom')}>
          {ATOM_TYPES.map((option) => (
            <option key={option} value={option}>
              {ATOM_TYPE_LABELS[option]}
            </option>
          ))}
        </select>
      </label>
      <label className="block-input-field">
        <span>Name</span>
        <input
          data-testid="mark-as-atom-name"
          autoFocus
          placeholder="e.g. Withholding threshold"
          value={name}
          maxLength={MAX_NAME_LENGTH + 50}
          aria-invalid={error !== null}
          onChange={(event) => {
            setName(event.target.value);
            setError(null);
          }}
        />
      </label>
      {error ? (
        <p className="block-input-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="block-input-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" data-testid="mark-as-atom-submit" disabled={markAsAtom.isPending}>
          {markAsAtom.isPending ? 'Saving…' : 'Mark as atom'}
        </button>
      </div>
    </form>
  );
}
