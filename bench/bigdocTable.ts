/**
 * Prints the rows of docs/benchmarks.md's big-document table from the bench's JSON:
 *   npm run bench -- --only bigdoc > bigdoc.json && npx tsx bench/bigdocTable.ts bigdoc.json
 * (or with the JSON of `bigdoc` alone). Cells: median (min–max) of the runs.
 */
import fs from 'node:fs';
import { z } from 'zod';

const Spread = z.object({ median: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable(), notReached: z.number() });
type Spread = z.infer<typeof Spread>;
const Suite = z.object({
  settings: z.object({ waitCapS: z.number() }).passthrough(),
  cases: z.array(z.object({ database: z.string(), processes: z.string(), paragraphs: z.number(), runs: z.number(), measures: z.record(z.string(), Spread) })),
  targets: z.array(z.object({ database: z.string(), paragraphs: z.number(), pass: z.boolean() })),
});

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/bigdocTable.ts <bench JSON file>');
const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
const parsed = z.object({ bigdoc: Suite }).safeParse(json);
const suite = parsed.success ? parsed.data.bigdoc : Suite.parse(json);
const cap = suite.settings.waitCapS;

const number = (value: number) => (value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10));
function cell(spread: Spread | undefined, capS?: number): string {
  if (!spread) return '—';
  const median = spread.median === null ? (capS ? `> ${capS}` : 'none') : number(spread.median);
  if (spread.min === null || spread.max === null) return median;
  const range = spread.min === spread.max ? '' : ` (${number(spread.min)}–${number(spread.max)}${spread.notReached > 0 ? `, ${spread.notReached} not reached` : ''})`;
  return `${median}${range}`;
}

for (const { database, processes, paragraphs, measures: m } of suite.cases) {
  const targets = suite.targets.filter((t) => t.database === database && t.paragraphs === paragraphs);
  const restart = m.restartListeningS ? `${cell(m.restartListeningS, 60)} / ${cell(m.restartGraphSyncedS, cap)}` : '—';
  process.stdout.write(
    `| ${database} (${processes}) | ${paragraphs} | ${cell(m.knowledgeStoredS, cap)} / ${cell(m.allHighlightsGraphSyncedS, cap)} | ` +
      `${cell(m.healthP50Ms)} / ${cell(m.healthP99Ms)} | ${cell(m.documentListP50Ms)} / ${cell(m.documentListP99Ms)} | ` +
      `${cell(m.typistPropagationBaselineP99Ms)} → ${cell(m.typistPropagationPasteP99Ms)} | ${cell(m.serverRssPeakMB)} | ${restart} | ` +
      `${targets.filter((t) => t.pass).length} of ${targets.length} |\n`,
  );
}
