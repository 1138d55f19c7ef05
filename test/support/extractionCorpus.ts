/**
 * The labelled extraction corpus (test/fixtures/extraction/*.json) and how an extraction is
 * scored against it: shared by the corpus test and the extraction benchmark.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractBlock } from '../../server/extraction/ruleExtractor';
import { ATOM_TYPES, MOLECULE_TYPES, type BlockInput, type ExtractedAtom, type ExtractedMolecule } from '../../server/extraction/types';
import type { BlockType } from '../../lib/blocks/types';

const DIR = join(import.meta.dirname, '../fixtures/extraction');
export const REFERENCE = new Date('2025-06-15T12:00:00Z');

interface AtomLabel {
  type: string;
  quote: string;
  value?: unknown;
  unit?: string | null;
}
interface PartLabel {
  field?: string;
  op?: string;
  value: unknown;
}
interface MoleculeLabel {
  type: string;
  enforcement?: string;
  conditions?: PartLabel[];
  results?: PartLabel[];
}
export interface Entry {
  text: string;
  blockType?: BlockType;
  cells?: string[][];
  hasHeader?: boolean;
  context?: { heading?: string; documentTitle?: string };
  atoms: AtomLabel[];
  molecules: MoleculeLabel[];
}

export function load(): { file: string; entry: Entry }[] {
  const out: { file: string; entry: Entry }[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const entries = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Entry[];
    for (const entry of entries) out.push({ file, entry });
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

export function valueOf(atom: ExtractedAtom): unknown {
  const v = atom.value as Record<string, unknown>;
  return 'number' in v ? v.number : 'boolean' in v ? v.boolean : 'date' in v ? v.date : 'text' in v ? v.text : v.json;
}

function atomMatches(label: AtomLabel, atom: ExtractedAtom): boolean {
  if (label.type !== atom.type || label.quote !== atom.quote) return false;
  if ('value' in label && !same(label.value, valueOf(atom))) return false;
  if ('unit' in label && (label.unit ?? undefined) !== atom.unit) return false;
  return true;
}

function partMatches(label: PartLabel, part: Record<string, unknown>): boolean {
  if (label.field !== undefined && label.field !== part.field) return false;
  if (label.op !== undefined && label.op !== part.op) return false;
  return same(label.value, part.value);
}

function moleculeMatches(label: MoleculeLabel, m: ExtractedMolecule): boolean {
  if (label.type !== m.type) return false;
  if (label.enforcement && label.enforcement !== m.enforcement) return false;
  const conditions = (m.configuration.conditions ?? []) as Record<string, unknown>[];
  const results = (m.configuration.results ?? []) as Record<string, unknown>[];
  if (label.conditions && !label.conditions.every((c) => conditions.some((p) => partMatches(c, p)))) return false;
  if (label.results && !label.results.every((r) => results.some((p) => partMatches(r, p)))) return false;
  return true;
}

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
}


export interface CorpusScore {
  entries: number;
  tally: Map<string, Tally>;
  misses: string[];
}

/** Runs the rule extractor over every entry; quotes are asserted exact on the way. */
export function scoreCorpus(corpus = load()): CorpusScore {
  const tally = new Map<string, Tally>([...ATOM_TYPES, ...MOLECULE_TYPES].map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const misses: string[] = [];
  for (const { file, entry } of corpus) {
    const block: BlockInput = { id: 'b', blockType: entry.blockType ?? 'paragraph', text: entry.text, cells: entry.cells, hasHeader: entry.hasHeader };
    const { atoms, molecules } = extractBlock(block, entry.context ?? {}, { referenceDate: REFERENCE });
    for (const a of atoms) assert.equal(a.quote, entry.text.slice(a.start, a.end), `atom quote in ${file}: ${entry.text}`);
    for (const m of molecules) {
      assert.equal(m.quote, entry.text.slice(m.start, m.end), `molecule quote in ${file}: ${entry.text}`);
      for (const ref of m.atoms) assert.ok(ref.atom >= 0 && ref.atom < atoms.length);
    }

    const freeAtoms = new Set(atoms);
    for (const label of entry.atoms) {
      const hit = [...freeAtoms].find((a) => atomMatches(label, a));
      const t = tally.get(label.type) as Tally;
      if (hit) {
        freeAtoms.delete(hit);
        t.tp++;
      } else {
        t.fn++;
        const near = atoms.find((a) => a.type === label.type && a.quote === label.quote);
        misses.push(`${file} missed ${label.type} ${JSON.stringify(label.quote)}${near ? ` (got ${JSON.stringify(valueOf(near))} ${near.unit ?? ''})` : ''} in: ${entry.text.slice(0, 90)}`);
      }
    }
    for (const a of freeAtoms) {
      (tally.get(a.type) as Tally).fp++;
      misses.push(`${file} extra ${a.type}/${a.kind} ${JSON.stringify(a.quote)} = ${JSON.stringify(valueOf(a))} in: ${entry.text.slice(0, 90)}`);
    }

    const freeMolecules = new Set(molecules);
    for (const label of entry.molecules) {
      const hit = [...freeMolecules].find((m) => moleculeMatches(label, m));
      const t = tally.get(label.type) as Tally;
      if (hit) {
        freeMolecules.delete(hit);
        t.tp++;
      } else {
        t.fn++;
        const near = molecules.find((m) => m.type === label.type);
        misses.push(`${file} missed ${label.type}${near ? ` (got ${near.enforcement} ${JSON.stringify(near.configuration.conditions ?? '')} ${JSON.stringify(near.configuration.results ?? '')})` : ''} in: ${entry.text.slice(0, 90)}`);
      }
    }
    for (const m of freeMolecules) {
      (tally.get(m.type) as Tally).fp++;
      misses.push(`${file} extra ${m.type} (${m.enforcement}) in: ${entry.text.slice(0, 90)}`);
    }
  }

  return { entries: corpus.length, tally, misses };
}

export function precisionRecall({ tp, fp, fn }: Tally): { precision: number; recall: number } {
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
}
