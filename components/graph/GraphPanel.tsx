'use client';

import { useCallback, useState } from 'react';
import type { GraphNodeDto } from '@/lib/graph/dto';
import { ApiError, errorMessage } from '../api';
import { GraphCanvas } from './GraphCanvas';
import { useGraphView, type GraphViewKind } from './useGraph';
import { GraphBehind } from './GraphBehind';

const DEPTHS = [1, 2, 3, 4, 5, 6];

/** Where a node lives: its document, scrolled to its block (DocumentView reads the hash). */
export function nodeHref(node: Pick<GraphNodeDto, 'documentId' | 'blockId'>): string | null {
  if (!node.documentId) return null;
  return `/d/${node.documentId}${node.blockId ? `#block-${node.blockId}` : ''}`;
}

function openNode(node: GraphNodeDto) {
  const href = nodeHref(node);
  // A plain navigation: another document loads, the same one only fires `hashchange`.
  if (href) window.location.assign(href);
}

const TITLES: Record<GraphViewKind, string> = { impact: 'Impact', dependencies: 'Dependencies' };

/**
 * "What breaks if this atom changes" (impact) or "what this rule relies on" (dependencies): the
 * graph around one node, 1 to 6 hops deep.
 */
export function ImpactPanel({ nodeId, onClose, kind = 'impact' }: { nodeId: string; onClose: () => void; kind?: GraphViewKind }) {
  const [depth, setDepth] = useState(3);
  const impact = useGraphView(kind, nodeId, depth);
  const onOpen = useCallback(openNode, []);
  const root = impact.data?.nodes.find((node) => node.id === nodeId);

  return (
    <aside className="graph-panel" data-testid="graph-panel" data-kind={kind} role="dialog" aria-label={TITLES[kind]}>
      <div className="graph-panel-head">
        <h2>{TITLES[kind]}{root ? <span className="graph-panel-root"> of {root.name}</span> : null}</h2>
        <label className="graph-depth">
          Depth{' '}
          <select data-testid="graph-depth" value={depth} onChange={(event) => setDepth(Number(event.target.value))}>
            {DEPTHS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" onClick={onClose} aria-label={`Close the ${kind} graph`}>
          Close
        </button>
      </div>
      <GraphBehind />
      {impact.isPending ? <div className="graph-canvas graph-loading" aria-busy="true">Loading the graph…</div> : null}
      {impact.isError ? (
        <div className="notice notice-error" role="alert">
          <p>
            {impact.error instanceof ApiError && impact.error.status === 503
              ? `${impact.error.message} Choose a smaller depth.`
              : `Could not load the ${kind} graph: ${errorMessage(impact.error)}`}
          </p>
          {impact.error instanceof ApiError && impact.error.status === 404 ? (
            <p className="knowledge-hint">The graph may be behind the document: it is updated a moment after the text changes.</p>
          ) : null}
          <button type="button" className="button" onClick={() => void impact.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {impact.data && impact.data.nodes.length <= 1 ? (
        <p className="knowledge-empty" data-testid="graph-empty">
          {kind === 'impact' ? 'No rule depends on this atom yet.' : 'This rule depends on nothing else yet.'}
        </p>
      ) : null}
      {impact.data && impact.data.nodes.length > 1 ? <GraphCanvas view={impact.data} onOpen={onOpen} /> : null}
      <p className="knowledge-hint">Hover a node to see how it is reached; click it to open its document.</p>
    </aside>
  );
}
