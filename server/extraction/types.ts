/**
 * What an extractor returns for one block. Extractors are pure: block text in, spans out.
 * Offsets are UTF-16 positions into the block's plain text (lib/blocks/text.ts), end exclusive,
 * and `quote === text.slice(start, end)` always holds.
 */
import type { BlockType } from '@/lib/blocks/types';

export const ATOM_TYPES = ['TextAtom', 'NumberAtom', 'BooleanAtom', 'DateAtom', 'JSONAtom'] as const;
export type AtomType = (typeof ATOM_TYPES)[number];

export const MOLECULE_TYPES = ['ConditionMolecule', 'ConstraintMolecule', 'ExceptionMolecule', 'RequiresMolecule'] as const;
export type MoleculeType = (typeof MOLECULE_TYPES)[number];

export type AtomRole = 'subject' | 'condition' | 'result' | 'constraint';
export type Enforcement = 'block' | 'warn' | 'inform';

/** Exactly one field is set, matching the atom type (seed 002's polymorphic value columns). */
export type AtomValue =
  | { text: string }
  | { number: number }
  | { boolean: boolean }
  | { date: string } // ISO 8601, e.g. "2026-01-01" or a full timestamp
  | { json: unknown };

export interface ExtractedAtom {
  type: AtomType;
  /** Finer classification: 'percentage', 'currency', 'amount', 'range', 'date', 'jurisdiction',
   *  'organisation', 'defined_term', 'rate_name', 'boolean', 'table_row', ... */
  kind: string;
  start: number;
  end: number;
  quote: string;
  value: AtomValue;
  /** Human-readable normal form: "10%", "$5,000 CAD", "2026-01-01", "Quebec". */
  canonical: string;
  unit?: string;
  /** Derived from context, e.g. "Quebec withholding rate". */
  name: string;
  confidence: number;
}

export interface MoleculeAtomRef {
  /** Index into the same Extraction's `atoms`. */
  atom: number;
  role: AtomRole;
  order: number;
}

export interface ExtractedMolecule {
  type: MoleculeType;
  /** The clause or sentence the rule was read from. */
  start: number;
  end: number;
  quote: string;
  name: string;
  confidence: number;
  enforcement: Enforcement;
  atoms: MoleculeAtomRef[];
  /** Seed 002's molecule_metadata.configuration: at least `ruleType` and the rule in plain
   *  words (`condition`, `result`, and for others `constraint`, `exception`, `requirement`),
   *  plus structured parts, e.g. conditions: [{ field: 'jurisdiction', op: '=', value: 'Quebec' }]. */
  configuration: { ruleType: string; [key: string]: unknown };
}

export interface Extraction {
  atoms: ExtractedAtom[];
  molecules: ExtractedMolecule[];
}

export interface BlockInput {
  id: string;
  blockType: BlockType;
  /** lib/blocks/text.ts blockText(). */
  text: string;
  /** Tables only: cells as plain strings, row-major; the first row is a header when `hasHeader`. */
  cells?: string[][];
  hasHeader?: boolean;
}

export interface ExtractionContext {
  documentTitle?: string;
  /** Text of the nearest heading above the block. */
  heading?: string;
}

export interface Extractor {
  readonly name: string;
  extract(block: BlockInput, context: ExtractionContext): Promise<Extraction>;
  /** Gets ready for the first block (loads and compiles what it needs); called once at start. */
  warmUp?(): Promise<void>;
}
