/**
 * Re-extraction without duplicates: the atoms and molecules a block had before are paired with
 * what the extractor finds now. Pure; server/extraction/store.ts carries out the plan.
 *   same type, kind, name and canonical value -> keep the id (the annotation's offsets may move);
 *   same type, kind and name, new value -> a new version linked by previous_version;
 *   unpaired old ones are removed, unpaired new ones created.
 * Ties go to the nearest old position, so two "10%" in one block keep their own ids.
 */
import type { ExtractedAtom, ExtractedMolecule } from './types';

export interface StoredAtom {
  atomId: string;
  annotationId: string;
  type: string;
  kind: string | null;
  name: string | null;
  canonical: string | null;
  start: number;
  version: number;
}

export interface StoredMolecule {
  moleculeId: string;
  annotationId: string;
  type: string;
  name: string | null;
  start: number;
}

export type AtomStep<A extends StoredAtom = StoredAtom> =
  | { op: 'keep'; index: number; stored: A }
  | { op: 'version'; index: number; stored: A }
  | { op: 'create'; index: number };

export type MoleculeStep<M extends StoredMolecule = StoredMolecule> = { op: 'keep'; index: number; stored: M } | { op: 'create'; index: number };

/** The steps carry the stored rows as the caller read them (store.ts reads their places too). */
export interface Plan<A extends StoredAtom = StoredAtom, M extends StoredMolecule = StoredMolecule> {
  atoms: AtomStep<A>[];
  removedAtoms: A[];
  molecules: MoleculeStep<M>[];
  removedMolecules: M[];
}

/** Pairs items with candidates by `key`, nearest position first; returns the leftovers. */
function pair<T extends { start: number }, S extends { start: number }>(
  items: Array<{ index: number; item: T }>,
  candidates: S[],
  key: (x: T | S) => string,
  onPair: (index: number, stored: S) => void,
): { items: Array<{ index: number; item: T }>; candidates: S[] } {
  const left = new Set(candidates);
  const unpaired: Array<{ index: number; item: T }> = [];
  for (const entry of items) {
    let best: S | null = null;
    for (const candidate of left) {
      if (key(candidate) !== key(entry.item)) continue;
      if (!best || Math.abs(candidate.start - entry.item.start) < Math.abs(best.start - entry.item.start)) best = candidate;
    }
    if (best) {
      left.delete(best);
      onPair(entry.index, best);
    } else unpaired.push(entry);
  }
  return { items: unpaired, candidates: [...left] };
}

export function plan<A extends StoredAtom, M extends StoredMolecule>(
  extracted: { atoms: ExtractedAtom[]; molecules: ExtractedMolecule[] },
  stored: { atoms: A[]; molecules: M[] },
): Plan<A, M> {
  const atoms: AtomStep<A>[] = [];
  const identity = (x: ExtractedAtom | StoredAtom) => `${x.type}|${x.kind ?? ''}|${x.name ?? ''}`;
  // The canonical form stands for the value ("10%", "$5,000 CAD", "2026-01-01").
  const exact = (x: ExtractedAtom | StoredAtom) => `${identity(x)}|${x.canonical ?? ''}`;
  const all = extracted.atoms.map((item, index) => ({ index, item }));
  const first = pair(all, stored.atoms, exact, (index, s) => atoms.push({ op: 'keep', index, stored: s }));
  const second = pair(first.items, first.candidates, identity, (index, s) => atoms.push({ op: 'version', index, stored: s }));
  for (const { index } of second.items) atoms.push({ op: 'create', index });
  atoms.sort((a, b) => a.index - b.index);

  const molecules: MoleculeStep<M>[] = [];
  const moleculeKey = (x: ExtractedMolecule | StoredMolecule) => `${x.type}|${x.name ?? ''}`;
  const m = pair(
    extracted.molecules.map((item, index) => ({ index, item })),
    stored.molecules,
    moleculeKey,
    (index, s) => molecules.push({ op: 'keep', index, stored: s }),
  );
  for (const { index } of m.items) molecules.push({ op: 'create', index });
  molecules.sort((a, b) => a.index - b.index);

  return { atoms, removedAtoms: second.candidates, molecules, removedMolecules: m.candidates };
}
