/** How knowledge reads to a person: type names, values, confidence and sources. */
import type { AtomDto, AtomTypeName, KnowledgeSource, MoleculeDto } from '@/lib/knowledge/dto';

export const ATOM_TYPES: readonly AtomTypeName[] = ['TextAtom', 'NumberAtom', 'BooleanAtom', 'DateAtom', 'JSONAtom'];

export const ATOM_TYPE_LABELS: Record<AtomTypeName, string> = {
  TextAtom: 'Text',
  NumberAtom: 'Number',
  BooleanAtom: 'Yes / no',
  DateAtom: 'Date',
  JSONAtom: 'Structured',
};

export const MOLECULE_TYPE_LABELS: Record<MoleculeDto['type'], string> = {
  ConditionMolecule: 'Condition',
  ConstraintMolecule: 'Constraint',
  ExceptionMolecule: 'Exception',
  RequiresMolecule: 'Requirement',
};

export const ENFORCEMENT_LABELS: Record<MoleculeDto['enforcement'], string> = {
  block: 'Blocking',
  warn: 'Warning',
  inform: 'Informational',
};

const SOURCE_LABELS: Record<KnowledgeSource, string> = {
  ai_extracted: 'Extracted automatically',
  llm: 'Extracted by a language model',
  manual: 'Marked by hand',
};

export function sourceLabel(source: KnowledgeSource): string {
  return SOURCE_LABELS[source];
}

export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

export function formatValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
}

/** The short text that stands for an atom: its canonical form, else its value. */
export function atomLabel(atom: AtomDto): string {
  return atom.canonical ?? formatValue(atom.value);
}
