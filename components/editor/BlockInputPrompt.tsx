'use client';

import type { Editor } from '@tiptap/react';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SlashCommand } from '@/lib/editor/slashCommands';

interface BlockInputPromptProps {
  editor: Editor;
  command: SlashCommand;
  onClose: () => void;
}

const PROMPT_WIDTH = 360;

function caretPosition(editor: Editor): { top: number; left: number } {
  try {
    const coords = editor.view.coordsAtPos(editor.state.selection.from);
    const left = Math.max(8, Math.min(coords.left, window.innerWidth - PROMPT_WIDTH - 8));
    const below = coords.bottom + 6;
    const top = below + 180 > window.innerHeight ? Math.max(8, coords.top - 186) : below;
    return { top, left };
  } catch {
    return { top: 120, left: 120 };
  }
}

/** Small inline form for commands that need values first (image URL, file URL + name). */
export function BlockInputPrompt({ editor, command, onClose }: BlockInputPromptProps) {
  const fields = command.fields ?? [];
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((field) => [field.name, ''])),
  );
  const [error, setError] = useState<string | null>(null);
  const [position] = useState(() => caretPosition(editor));

  const cancel = () => {
    onClose();
    editor.commands.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    for (const field of fields) {
      const value = values[field.name]?.trim() ?? '';
      if (field.required && value === '') {
        setError(`${field.label} is required.`);
        return;
      }
      const problem = value === '' ? null : (field.validate?.(value) ?? null);
      if (problem) {
        setError(problem);
        return;
      }
    }
    if (!command.run(editor, values)) {
      setError(`Could not insert the ${command.title.toLowerCase()} here.`);
      return;
    }
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  };

  return (
    <form
      className="block-input"
      data-testid="block-input"
      data-block-type={command.blockType}
      style={{ top: position.top, left: position.left, width: PROMPT_WIDTH }}
      onSubmit={submit}
      noValidate
      onKeyDown={onKeyDown}
      aria-label={`Insert ${command.title.toLowerCase()}`}
    >
      <div className="block-input-title">
        <span aria-hidden="true">{command.icon}</span> {command.title}
      </div>
      {fields.map((field, index) => (
        <label key={field.name} className="block-input-field">
          <span>{field.label}</span>
          <input
            data-testid={`block-input-${field.name}`}
            autoFocus={index === 0}
            type={field.name === 'url' ? 'url' : 'text'}
            placeholder={field.placeholder}
            value={values[field.name] ?? ''}
            onChange={(event) => {
              const { value } = event.target;
              setValues((current) => ({ ...current, [field.name]: value }));
              setError(null);
            }}
          />
        </label>
      ))}
      {error ? (
        <p className="block-input-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="block-input-actions">
        <button type="button" className="button" onClick={cancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" data-testid="block-input-submit">
          Insert
        </button>
      </div>
    </form>
  );
}
