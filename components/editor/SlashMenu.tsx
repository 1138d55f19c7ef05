'use client';

import { ReactRenderer } from '@tiptap/react';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import type { SlashMenuRender } from '@/lib/editor/slashCommand';
import type { SlashCommand } from '@/lib/editor/slashCommands';

export interface SlashMenuHandle {
  /** Returns true when the key was used by the menu (so the editor ignores it). */
  onKeyDown: (event: KeyboardEvent) => boolean;
}

interface SlashMenuProps {
  items: SlashCommand[];
  query: string;
  loading: boolean;
  select: (command: SlashCommand) => void;
  ref?: Ref<SlashMenuHandle>;
}

export function SlashMenu({ items, query, loading, select, ref }: SlashMenuProps) {
  // The highlighted row resets to the top whenever the query changes.
  const [highlight, setHighlight] = useState({ query, index: 0 });
  const index = highlight.query === query ? Math.min(highlight.index, Math.max(items.length - 1, 0)) : 0;
  const listRef = useRef<HTMLDivElement | null>(null);

  useImperativeHandle(
    ref,
    () => ({
      onKeyDown: (event) => {
        if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          if (items.length === 0) return true;
          const step = event.key === 'ArrowDown' ? 1 : -1;
          setHighlight({ query, index: (index + step + items.length) % items.length });
          return true;
        }
        if (event.key === 'Enter' || event.key === 'Tab') {
          const command = items[index];
          if (!command) return false;
          select(command);
          return true;
        }
        return false;
      },
    }),
    [items, index, query, select],
  );

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [index]);

  return (
    <div className="slash-menu" data-testid="slash-menu" role="listbox" aria-label="Insert block" ref={listRef}>
      {items.length === 0 ? (
        <div className="slash-menu-empty">{loading ? 'Loading…' : 'No matching blocks'}</div>
      ) : (
        items.map((command, itemIndex) => (
          <button
            key={command.blockType}
            type="button"
            role="option"
            aria-selected={itemIndex === index}
            className={itemIndex === index ? 'slash-item is-selected' : 'slash-item'}
            data-testid={`slash-item-${command.blockType}`}
            // Keep the caret in the editor while clicking.
            onMouseDown={(event) => event.preventDefault()}
            onMouseEnter={() => setHighlight({ query, index: itemIndex })}
            onClick={() => select(command)}
          >
            <span className="slash-item-icon" aria-hidden="true">
              {command.icon}
            </span>
            <span className="slash-item-text">
              <span className="slash-item-title">{command.title}</span>
              <span className="slash-item-description">{command.description}</span>
            </span>
          </button>
        ))
      )}
    </div>
  );
}

/** Suggestion renderer for the "/" menu: a React component positioned at the caret. */
export const renderSlashMenu: SlashMenuRender = () => {
  let renderer: ReactRenderer<SlashMenuHandle, SlashMenuProps> | null = null;
  let unmount: (() => void) | null = null;

  const close = () => {
    unmount?.();
    renderer?.destroy();
    unmount = null;
    renderer = null;
  };

  return {
    onStart: (props) => {
      close();
      renderer = new ReactRenderer(SlashMenu, {
        editor: props.editor,
        props: { items: props.items, query: props.query, loading: props.loading, select: props.command },
        className: 'slash-menu-popup',
      });
      unmount = props.mount(renderer.element);
    },
    onUpdate: (props) => {
      renderer?.updateProps({ items: props.items, query: props.query, loading: props.loading, select: props.command });
    },
    onKeyDown: ({ event }) => {
      if (event.key === 'Escape') {
        close();
        return true;
      }
      return renderer?.ref?.onKeyDown(event) ?? false;
    },
    onExit: close,
  };
};
