'use client';

import type { ConflictsDto } from '@/lib/graph/dto';
import { nodeHref } from './GraphPanel';

/** Rules that contradict each other, where one of them is in this document; each side links to its block. */
export function ConflictsList({ documentId, conflicts }: { documentId: string; conflicts: ConflictsDto | undefined }) {
  if (!conflicts || conflicts.conflicts.length === 0) return null;
  const byId = new Map(conflicts.nodes.map((node) => [node.id, node]));
  return (
    <section className="knowledge-conflicts" data-testid="conflicts-list" aria-label="Conflicts">
      <h3>
        Conflicts <span className="knowledge-count">{conflicts.total}</span>
      </h3>
      <ul>
        {conflicts.conflicts.map((conflict) => (
          <li key={`${conflict.sourceId} ${conflict.targetId}`} className="conflict-item" data-testid="conflict-item">
            {[conflict.sourceId, conflict.targetId].map((id, i) => {
              const node = byId.get(id);
              const href = node ? nodeHref(node) : null;
              const elsewhere = node?.documentId && node.documentId !== documentId;
              return (
                <span key={id} className="conflict-side">
                  {i === 1 ? <span className="conflict-versus">contradicts</span> : null}
                  {href ? <a href={href}>{node?.name}</a> : <span>{node?.name ?? 'a rule'}</span>}
                  {elsewhere ? <span className="knowledge-hint"> (in another document)</span> : null}
                </span>
              );
            })}
            {conflict.reason ? <span className="knowledge-hint">{conflict.reason}</span> : null}
          </li>
        ))}
      </ul>
      {conflicts.total > conflicts.conflicts.length ? (
        <p className="knowledge-hint">The {conflicts.conflicts.length} most severe of {conflicts.total} are shown.</p>
      ) : null}
    </section>
  );
}
