'use client';

import { DragHandle } from '@tiptap/extension-drag-handle-react';
import type { Editor } from '@tiptap/react';

/** The ⋮⋮ grip left of the hovered block; drag it to move the block (its id moves with it). */
export function BlockDragHandle({ editor }: { editor: Editor }) {
  return (
    <DragHandle editor={editor}>
      <div className="drag-handle-grip" data-testid="drag-handle" title="Drag to move" aria-label="Drag to move block">
        <svg width="10" height="16" viewBox="0 0 10 16" aria-hidden="true">
          {[3, 8, 13].flatMap((y) => [
            <circle key={`l${y}`} cx="2.5" cy={y} r="1.5" />,
            <circle key={`r${y}`} cx="7.5" cy={y} r="1.5" />,
          ])}
        </svg>
      </div>
    </DragHandle>
  );
}
