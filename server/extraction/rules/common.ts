/** Small helpers shared by the rule extractors. */
import type { AtomType, AtomValue, ExtractedAtom } from '../types';

/** Builds an atom over text[start, end); the name is filled in later by names.ts. */
export function makeAtom(
  text: string,
  start: number,
  end: number,
  type: AtomType,
  kind: string,
  value: AtomValue,
  canonical: string,
  confidence: number,
  unit?: string,
): ExtractedAtom {
  const atom: ExtractedAtom = { type, kind, start, end, quote: text.slice(start, end), value, canonical, name: '', confidence };
  if (unit !== undefined) atom.unit = unit;
  return atom;
}

/** Moves an atom found in a substring (cell, sentence) into the coordinates of the whole text. */
export function shiftAtom(atom: ExtractedAtom, offset: number): ExtractedAtom {
  return { ...atom, start: atom.start + offset, end: atom.end + offset };
}

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** 1234567.5 → "1,234,567.5" without depending on the runtime's ICU data. */
export function groupThousands(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int.length > 21 ? int : int.replace(/\B(?=(\d{3})+$)/g, ',');
  return (n < 0 ? '-' : '') + grouped + (frac ? '.' + frac : '');
}

/** Cleans binary floating-point noise: 14.975 / 100 → 0.14975, not 0.14975000000000002. */
export function tidy(n: number): number {
  return Number(n.toPrecision(12));
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
