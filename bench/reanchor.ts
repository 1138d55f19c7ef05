/**
 * Re-anchoring benchmark: manual annotations on a policy text, 1,000 random edits (typing and
 * deleting before, after, around and inside them), re-anchored after every few edits the way
 * the extraction job does (server/extraction/anchor.ts). The truth is each span mapped through
 * the edits, as the editor maps positions; a span whose every character was deleted is truly
 * gone. Reports how many stay correctly attached, how many are orphaned, how many misplaced.
 */
import { reanchor, selectorAt, type Selector } from '../server/extraction/anchor';

const EDITS = Number(process.env.BENCH_REANCHOR_EDITS ?? 1000);

const SENTENCES = [
  'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.',
  'Invoices must be paid within 30 days of the invoice date.',
  'A late fee of 2% per month applies to overdue balances.',
  'Employees in Ontario receive 10 vacation days after one year of service.',
  'Refunds are available within 14 days unless the product was customised.',
  'The annual fee is waived for members of the professional association.',
  'Contractors shall submit timesheets no later than Friday at noon.',
  'Auto-renewal is enabled by default for annual plans.',
];
const WORDS = ['rate', 'fee', 'the', 'Quebec', 'amount', 'within', '10%', 'policy', 'members', 'days', 'and', 'or'];

/** Small deterministic PRNG so every run edits the same way. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Tracked {
  selector: Selector;
  /** The truth: the span mapped through every edit; null once all its text was deleted. */
  truth: { start: number; end: number } | null;
  /** attached: exactly the truth; imprecise: overlaps the truth but a boundary differs (a
   *  deletion across the edge); misplaced: on other text; orphaned: reported lost. */
  result: 'attached' | 'imprecise' | 'orphaned' | 'misplaced';
}

export interface ReanchorResult {
  annotations: number;
  edits: number;
  attached: number;
  imprecise: number;
  orphaned: number;
  misplaced: number;
  /** Annotations whose text (some of it) still exists at the end. */
  stillThere: number;
  attachedShare: number;
  /** Orphaned although some of their text still exists: the price of being never misplaced. */
  orphanedWithTextLeft: number;
  target: { attachedShareMin: number; misplacedMax: number; pass: boolean };
}

export function runReanchorBench(seed = 42): ReanchorResult {
  const next = random(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  // 200 paragraphs of one or two different sentences (a paragraph rarely says the same sentence
  // twice); annotations are re-anchored within their block.
  const blocks = Array.from({ length: 200 }, () => {
    const first = pick(SENTENCES);
    return next() < 0.5 ? first : `${first} ${pick(SENTENCES.filter((s) => s !== first))}`;
  });

  // 100 annotations: a word or two-word phrase in every other block.
  const tracked: Array<Tracked & { block: number }> = [];
  for (let block = 0; block < blocks.length && tracked.length < 100; block += 2) {
    const words = [...blocks[block].matchAll(/[A-Za-z$%0-9,]+(?: [a-z]+)?/g)];
    const match = pick(words);
    const start = match.index ?? 0;
    const end = start + match[0].length;
    tracked.push({ block, selector: selectorAt(blocks[block], start, end), truth: { start, end }, result: 'attached' });
  }

  for (let edit = 1; edit <= EDITS; edit++) {
    const block = Math.floor(next() * blocks.length);
    let text = blocks[block];
    const at = Math.floor(next() * (text.length + 1));
    const mine = tracked.flatMap((t) => (t.block === block && t.truth ? [{ t, truth: t.truth }] : []));
    if (next() < 0.6) {
      const insert = `${pick(WORDS)} `;
      text = text.slice(0, at) + insert + text.slice(at);
      for (const { t, truth } of mine) {
        // Typing at the very edge of a span does not extend it (as inline marks do not).
        if (at <= truth.start) t.truth = { start: truth.start + insert.length, end: truth.end + insert.length };
        else if (at < truth.end) t.truth = { start: truth.start, end: truth.end + insert.length };
      }
    } else {
      const length = Math.min(1 + Math.floor(next() * 12), text.length - at);
      text = text.slice(0, at) + text.slice(at + length);
      const mapPos = (pos: number) => (pos <= at ? pos : Math.max(at, pos - length));
      for (const { t, truth } of mine) {
        const start = mapPos(truth.start);
        const end = mapPos(truth.end);
        t.truth = end > start ? { start, end } : null;
      }
    }
    blocks[block] = text;
    // The extraction job re-anchors the manual annotations of the changed block.
    for (const t of tracked) {
      if (t.block !== block || (t.result !== 'attached' && t.result !== 'imprecise')) continue;
      const span = reanchor(t.selector, text);
      if (!span) {
        t.result = 'orphaned';
        if (process.env.BENCH_REANCHOR_DEBUG && t.truth) console.error('ORPHAN', { selector: t.selector, truth: text.slice(t.truth.start, t.truth.end), text });
        continue;
      }
      if (t.truth && span.start < t.truth.end && t.truth.start < span.end) {
        // Once imprecise, it stays counted as imprecise even if later runs agree again.
        if (span.start !== t.truth.start || span.end !== t.truth.end) t.result = 'imprecise';
        t.selector = selectorAt(text, span.start, span.end);
        continue;
      }
      t.result = 'misplaced';
      if (process.env.BENCH_REANCHOR_DEBUG) console.error({ edit, selector: t.selector, truth: t.truth && text.slice(t.truth.start, t.truth.end), found: text.slice(span.start, span.end), text });
    }
  }

  const attached = tracked.filter((t) => t.result === 'attached').length;
  const imprecise = tracked.filter((t) => t.result === 'imprecise').length;
  const orphaned = tracked.filter((t) => t.result === 'orphaned').length;
  const misplaced = tracked.filter((t) => t.result === 'misplaced').length;
  const stillThere = tracked.filter((t) => t.truth !== null).length;
  const attachedShare = Math.round(((attached + imprecise) / Math.max(1, stillThere)) * 1000) / 1000;
  return {
    annotations: tracked.length,
    edits: EDITS,
    attached,
    imprecise,
    orphaned,
    misplaced,
    stillThere,
    attachedShare,
    orphanedWithTextLeft: tracked.filter((t) => t.result === 'orphaned' && t.truth !== null).length,
    target: { attachedShareMin: 0.99, misplacedMax: 0, pass: attachedShare >= 0.99 && misplaced === 0 },
  };
}

/** Five fixed seeds, each 1,000 edits; totals over all of them. */
export function runReanchorSuite(): { runs: Array<ReanchorResult & { seed: number }>; total: Omit<ReanchorResult, 'edits'> & { edits: number } } {
  const runs = [1, 2, 3, 7, 42].map((seed) => ({ seed, ...runReanchorBench(seed) }));
  const sum = (key: 'annotations' | 'attached' | 'imprecise' | 'orphaned' | 'misplaced' | 'orphanedWithTextLeft' | 'edits' | 'stillThere') =>
    runs.reduce((total, run) => total + run[key], 0);
  const attachedShare = Math.round(((sum('attached') + sum('imprecise')) / Math.max(1, sum('stillThere'))) * 1000) / 1000;
  return {
    runs,
    total: {
      annotations: sum('annotations'),
      edits: sum('edits'),
      attached: sum('attached'),
      imprecise: sum('imprecise'),
      orphaned: sum('orphaned'),
      misplaced: sum('misplaced'),
      stillThere: sum('stillThere'),
      attachedShare,
      orphanedWithTextLeft: sum('orphanedWithTextLeft'),
      target: { attachedShareMin: 0.99, misplacedMax: 0, pass: attachedShare >= 0.99 && sum('misplaced') === 0 },
    },
  };
}
