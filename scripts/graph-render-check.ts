/**
 * Scratch check: how long the impact panel takes to draw 500 nodes in Chromium. The knowledge
 * and impact APIs are answered with made-up data, so only the browser side is measured.
 * Usage: npx next build && npx tsx scripts/graph-render-check.ts [nodes]
 */
import { randomUUID } from 'node:crypto';
import { startApp } from '../e2e/support';
import type { GraphViewDto, GraphNodeDto, GraphLabel } from '../lib/graph/dto';

const COUNT = Number(process.argv[2] ?? 500);
const LABELS: GraphLabel[] = ['Molecule', 'Document', 'Block', 'Atom'];

function fakeImpact(rootId: string): GraphViewDto {
  const root: GraphNodeDto = { id: rootId, label: 'Atom', name: 'Quebec withholding rate', detail: '10%', documentId: null, blockId: null, distance: 0, path: [rootId] };
  const nodes = [root];
  const edges: GraphViewDto['edges'] = [];
  for (let i = 1; i < COUNT; i++) {
    // A tree: each node hangs off an earlier one, so distances grow to about 5.
    const parent = nodes[Math.floor((i - 1) / 4)];
    const id = randomUUID();
    const label = LABELS[i % LABELS.length];
    nodes.push({ id, label, name: `${label} ${i}`, detail: null, documentId: null, blockId: null, distance: (parent.distance ?? 0) + 1, path: [...parent.path, id] });
    edges.push({ source: parent.id, target: id, type: 'PART_OF', props: {} });
  }
  return { rootId, nodes, edges };
}

const app = await startApp();
try {
  const { page } = await app.newUser('Bench');
  const atomId = randomUUID();
  await page.route('**/api/documents/*/knowledge', (route) => route.fulfill({ json: {
    atoms: [{ id: atomId, type: 'NumberAtom', kind: 'rate', value: 0.1, canonical: '10%', unit: '%', name: 'Quebec withholding rate', confidence: 1, source: 'manual', version: 1, previousVersion: null, moleculeIds: [], updatedAt: new Date().toISOString() }],
    molecules: [], annotations: [], status: { state: 'idle', attempts: 0, error: null, updatedAt: null },
  } }));
  const view = fakeImpact(atomId);
  await page.route('**/api/graph/impact*', (route) => route.fulfill({ json: view }));
  await page.goto('/');
  await page.getByTestId('new-document').click();
  await page.waitForURL(/\/d\//);
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    await page.getByTestId('impact-button').click();
    const started = await page.evaluate(() => performance.now());
    await page.waitForFunction((count) => document.querySelector('[data-testid="graph-node-count"]')?.getAttribute('data-count') === String(count), COUNT, { polling: 'raf' });
    // One more frame so the canvas has painted.
    const drawn = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
    runs.push(Math.round(drawn - started));
    await page.getByRole('button', { name: 'Close the impact graph' }).click();
  }
  console.log(`${COUNT} nodes, ${view.edges.length} edges: click -> drawn ${runs.join(', ')} ms (first run includes loading cytoscape)`);
} finally {
  await app.close();
}
