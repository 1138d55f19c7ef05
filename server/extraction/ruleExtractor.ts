/**
 * The rule-based extractor: runs the span extractors of rules/ over one block, keeps one atom
 * per stretch of text (a percentage inside a range, or a date's digits, are not atoms of their
 * own), names the atoms from context and reads molecules from each sentence.
 */
import { extractBooleans } from './rules/booleans';
import { overlaps, shiftAtom } from './rules/common';
import { extractDates } from './rules/dates';
import { extractMolecules } from './rules/molecules';
import { nameAtoms } from './rules/names';
import { dollarCurrency, extractNumbers } from './rules/numbers';
import { splitSentences, type Sentence } from './rules/sentences';
import { extractTable, joinCells } from './rules/tables';
import { extractTextEntities } from './rules/text';
import type { BlockInput, ExtractedAtom, Extraction, ExtractionContext, Extractor } from './types';

export interface ExtractOptions {
  /** What relative dates ("within 30 days", "next Monday") are resolved against. */
  referenceDate?: Date;
}

/**
 * Prose beyond this many UTF-16 units (about 3,000 words in one block) is extracted from its
 * start only: storing thousands of atoms of one block is one long transaction, which on the
 * embedded default holds up every other document. Tables, one atom per row, go to MAX_TABLE_CHARS.
 */
export const MAX_BLOCK_CHARS = 20_000;
export const MAX_TABLE_CHARS = 100_000;
const SKIPPED_BLOCKS = new Set(['divider', 'image', 'file', 'code']);

export const ruleExtractor: Extractor = {
  name: 'rules',
  async extract(block, context) {
    return extractBlock(block, context, { referenceDate: new Date() });
  },
};

export function extractBlock(block: BlockInput, context: ExtractionContext = {}, options: ExtractOptions = {}): Extraction {
  const referenceDate = options.referenceDate ?? new Date();
  const text = block.text ?? '';
  if (!text.trim() || SKIPPED_BLOCKS.has(block.blockType)) return { atoms: [], molecules: [] };
  const dollar = dollarCurrency(text.slice(0, MAX_BLOCK_CHARS), context.heading, context.documentTitle);

  if (block.blockType === 'table' && block.cells && joinCells(block.cells) === text && text.length <= MAX_TABLE_CHARS) {
    const title = (context.heading ?? context.documentTitle ?? '').trim() || undefined;
    const raw = extractTable(text, block.cells, block.hasHeader ?? false, { dollar, referenceDate, title });
    const rows = raw.filter((a) => a.kind === 'table_row');
    const atoms = sortAtoms([...rows, ...resolveOverlaps(raw.filter((a) => a.kind !== 'table_row'))]);
    nameAtoms(text, atoms, rowSentences(text), context);
    return { atoms, molecules: [] };
  }

  const limit = text.length > MAX_BLOCK_CHARS ? safeCut(text, MAX_BLOCK_CHARS) : text.length;
  const sentences = splitSentences(text.slice(0, limit));
  const candidates: ExtractedAtom[] = [];
  for (const s of sentences) {
    const found = [
      ...extractNumbers(s.text, { dollar }),
      ...extractDates(s.text, referenceDate),
      ...extractBooleans(s.text),
      ...extractTextEntities(s.text),
    ];
    for (const atom of found) candidates.push(shiftAtom(atom, s.start));
  }
  const atoms = sortAtoms(resolveOverlaps(candidates));
  nameAtoms(text, atoms, sentences, context);
  const molecules = extractMolecules(text, sentences, atoms, context);
  return { atoms, molecules };
}

/** Higher wins when two candidates overlap; then the longer one; then the earlier one. */
function priority(a: ExtractedAtom): number {
  if (a.kind === 'range' || a.kind === 'date_range') return 6;
  if (a.kind === 'currency' || a.kind === 'percentage') return 5;
  if (a.type === 'DateAtom' && a.kind !== 'year') return 4;
  if (a.type === 'BooleanAtom') return 4;
  if (a.type === 'TextAtom' && a.kind !== 'rate_name') return 3;
  if (a.kind === 'year' || a.kind === 'quantity') return 3;
  return 2;
}

export function resolveOverlaps(candidates: ExtractedAtom[]): ExtractedAtom[] {
  const ranked = [...candidates].sort(
    (a, b) => priority(b) - priority(a) || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: ExtractedAtom[] = [];
  // Kept atoms sorted by start, for a binary-search overlap test (a 1 MB block has many atoms).
  const byStart: ExtractedAtom[] = [];
  for (const c of ranked) {
    let lo = 0;
    let hi = byStart.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byStart[mid].start < c.start) lo = mid + 1;
      else hi = mid;
    }
    const prev = byStart[lo - 1];
    const next = byStart[lo];
    if ((prev && overlaps(prev, c)) || (next && overlaps(next, c))) continue;
    byStart.splice(lo, 0, c);
    kept.push(c);
  }
  return kept;
}

function sortAtoms(atoms: ExtractedAtom[]): ExtractedAtom[] {
  return atoms.sort((a, b) => a.start - b.start || b.end - a.end);
}

function rowSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  for (const line of text.split('\n')) {
    out.push({ start, end: start + line.length, text: line });
    start += line.length + 1;
  }
  return out;
}

/** A cut that does not split a surrogate pair. */
function safeCut(text: string, at: number): number {
  return /[\uD800-\uDBFF]/.test(text[at - 1] ?? '') ? at - 1 : at;
}
