'use client';

/**
 * Draws a graph view with cytoscape.js (canvas renderer, so hundreds of nodes stay smooth):
 * nodes coloured by label in rings around the start node, the path to a hovered node
 * highlighted, a click opening the node's document at its block.
 */
import type { Core, ElementDefinition, StylesheetJson } from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import type { GraphLabel, GraphNodeDto, GraphViewDto } from '@/lib/graph/dto';

export const LABEL_COLORS: Record<GraphLabel, string> = {
  Atom: '#2563eb',
  Molecule: '#9333ea',
  Document: '#059669',
  Block: '#64748b',
  Domain: '#d97706',
};

const STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(color)',
      label: 'data(caption)',
      'font-size': 10,
      color: '#1f2937',
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-wrap': 'ellipsis',
      'text-max-width': '120px',
      'min-zoomed-font-size': 7,
      width: 18,
      height: 18,
    },
  },
  { selector: 'node.is-root', style: { width: 28, height: 28, 'border-width': 3, 'border-color': '#111827' } },
  { selector: 'edge', style: { width: 1.5, 'line-color': '#cbd5e1', 'target-arrow-color': '#cbd5e1', 'target-arrow-shape': 'triangle', 'curve-style': 'straight', 'arrow-scale': 0.8 } },
  { selector: 'edge[type = "CONFLICTS_WITH"]', style: { 'line-color': '#dc2626', 'target-arrow-color': '#dc2626', 'line-style': 'dashed' } },
  { selector: '.is-faded', style: { opacity: 0.2 } },
  { selector: 'node.on-path', style: { 'border-width': 3, 'border-color': '#f59e0b' } },
  { selector: 'edge.on-path', style: { width: 3, 'line-color': '#f59e0b', 'target-arrow-color': '#f59e0b', label: 'data(type)', 'font-size': 8 } },
];

export function graphElements(view: GraphViewDto): ElementDefinition[] {
  const nodes = view.nodes.map((node) => ({
    data: { id: node.id, caption: node.detail && node.detail !== node.name && node.label === 'Atom' ? `${node.name}: ${node.detail}` : node.name, color: LABEL_COLORS[node.label] },
    classes: node.id === view.rootId ? 'is-root' : '',
  }));
  const edges = view.edges.map((edge) => ({ data: { id: `${edge.source} ${edge.type} ${edge.target}`, source: edge.source, target: edge.target, type: edge.type } }));
  return [...nodes, ...edges];
}

function highlightPath(cy: Core, path: string[]) {
  const steps = new Set(path.slice(1).map((id, i) => `${path[i]} ${id}`));
  const onPath = cy.nodes().filter((node) => path.includes(node.id()))
    .union(cy.edges().filter((edge) => steps.has(`${edge.source().id()} ${edge.target().id()}`) || steps.has(`${edge.target().id()} ${edge.source().id()}`)));
  cy.batch(() => {
    cy.elements().addClass('is-faded');
    onPath.removeClass('is-faded').addClass('on-path');
  });
}

export function GraphCanvas({ view, onOpen }: { view: GraphViewDto; onOpen: (node: GraphNodeDto) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const open = useRef(onOpen);
  const [drawn, setDrawn] = useState<number | null>(null);

  useEffect(() => {
    open.current = onOpen;
  }, [onOpen]);

  useEffect(() => {
    let cy: Core | null = null;
    let cancelled = false;
    const byId = new Map(view.nodes.map((node) => [node.id, node]));
    // Loaded on demand: the editor page does not pay for the graph library until it is used.
    void import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || !container.current) return;
      const graph = cytoscape({
        container: container.current,
        elements: graphElements(view),
        style: STYLE,
        minZoom: 0.1,
        maxZoom: 3,
        layout: view.rootId
          ? { name: 'concentric', concentric: (node) => 10 - (byId.get(node.id())?.distance ?? 9), levelWidth: () => 1, minNodeSpacing: 24, animate: false }
          : { name: 'cose', animate: false },
      });
      graph.on('mouseover tapstart', 'node', (event) => highlightPath(graph, byId.get(event.target.id())?.path ?? []));
      graph.on('mouseout', 'node', () => graph.elements().removeClass('is-faded on-path'));
      graph.on('tap', 'node', (event) => {
        const node = byId.get(event.target.id());
        if (node) open.current(node);
      });
      cy = graph;
      setDrawn(graph.nodes().length);
    });
    return () => {
      cancelled = true;
      cy?.destroy();
    };
  }, [view]);

  return (
    <>
      <div ref={container} className="graph-canvas" data-testid="graph-canvas" aria-label="Impact graph" role="img" />
      <p className="graph-meta">
        <span data-testid="graph-node-count" data-count={drawn ?? 0}>{drawn === null ? 'Drawing…' : `${drawn} nodes`}</span>
        {Object.entries(LABEL_COLORS).map(([label, color]) => (
          <span key={label} className="graph-legend-item">
            <span className="graph-legend-dot" style={{ background: color }} />
            {label}
          </span>
        ))}
      </p>
    </>
  );
}
