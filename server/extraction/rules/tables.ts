/**
 * Tables: each data row becomes a JSONAtom ({header: cell, ...}, or {key: value} for a
 * two-column table without header), and the cells themselves go through the number, date,
 * boolean and place extractors, with offsets into the table's plain text (cells joined "\t",
 * rows "\n", lib/blocks/text.ts) and names from the row key and column header.
 */
import { CELL_SEPARATOR, ROW_SEPARATOR } from '@/lib/blocks/text';
import type { ExtractedAtom } from '../types';
import { capitalise, makeAtom, shiftAtom } from './common';
import { extractDates } from './dates';
import { extractNumbers } from './numbers';
import { extractTextEntities } from './text';

export interface CellSpan {
  row: number;
  col: number;
  start: number;
  end: number;
}

export interface TableOptions {
  dollar?: string;
  referenceDate: Date;
  /** The heading or document title, to name rows ("Withholding rates: Quebec"). */
  title?: string;
}

const MAX_CELL = 2000; // longer cells are prose; extract only their start
const BOOLEAN_CELL = /^(yes|no|true|false|required|optional|mandatory|enabled|disabled|allowed|prohibited|y|n|✓|✔|✗|✘)$/i;
const TRUE_CELL = /^(yes|true|required|mandatory|enabled|allowed|y|✓|✔)$/i;

/** Offsets of every cell in the joined table text. */
export function cellSpans(cells: string[][]): CellSpan[] {
  const out: CellSpan[] = [];
  let at = 0;
  cells.forEach((row, r) => {
    if (r > 0) at += ROW_SEPARATOR.length;
    row.forEach((cell, c) => {
      if (c > 0) at += CELL_SEPARATOR.length;
      out.push({ row: r, col: c, start: at, end: at + cell.length });
      at += cell.length;
    });
  });
  return out;
}

export function joinCells(cells: string[][]): string {
  return cells.map((row) => row.join(CELL_SEPARATOR)).join(ROW_SEPARATOR);
}

/** Row atoms plus cell atoms. `text` must equal joinCells(cells). */
export function extractTable(text: string, cells: string[][], hasHeader: boolean, options: TableOptions): ExtractedAtom[] {
  const spans = cellSpans(cells);
  const header = hasHeader && cells.length ? cells[0].map((h, i) => h.trim() || `column ${i + 1}`) : null;
  const width = Math.max(0, ...cells.map((r) => r.length));
  const out: ExtractedAtom[] = [];
  for (let r = hasHeader ? 1 : 0; r < cells.length; r++) {
    const row = cells[r];
    if (!row.length || row.every((c) => !c.trim())) continue;
    const rowSpans = spans.filter((s) => s.row === r);
    const start = rowSpans[0].start;
    const end = rowSpans[rowSpans.length - 1].end;
    const json = rowObject(row, header, width);
    const key = row[0].trim();
    const rowAtom = makeAtom(text, start, end, 'JSONAtom', 'table_row', { json }, JSON.stringify(json), 0.9);
    rowAtom.name = key ? (options.title ? `${options.title}: ${key}` : key) : '';
    out.push(rowAtom);
    for (const span of rowSpans) {
      const cell = text.slice(span.start, Math.min(span.end, span.start + MAX_CELL));
      if (!cell.trim()) continue;
      const label = cellName(header, row, span.col, width);
      for (const atom of cellAtoms(cell, options)) {
        const shifted = shiftAtom(atom, span.start);
        if (label && shifted.type !== 'TextAtom') shifted.name = label;
        out.push(shifted);
      }
    }
  }
  return out;
}

function rowObject(row: string[], header: string[] | null, width: number): Record<string, string> {
  const obj: Record<string, string> = {};
  if (header) {
    row.forEach((cell, i) => {
      let key = header[i] ?? `column ${i + 1}`;
      while (key in obj) key += ' (2)';
      obj[key] = cell.trim();
    });
  } else if (width === 2) {
    obj[row[0].trim() || 'key'] = (row[1] ?? '').trim();
  } else {
    row.forEach((cell, i) => (obj[`column ${i + 1}`] = cell.trim()));
  }
  return obj;
}

/** "Quebec withholding rate": the row's key plus the column header. */
function cellName(header: string[] | null, row: string[], col: number, width: number): string {
  const key = row[0]?.trim() ?? '';
  if (header) {
    const h = header[col] ?? '';
    if (col === 0) return capitalise(h);
    return capitalise(`${key} ${h.toLowerCase()}`.trim());
  }
  if (width === 2 && col === 1) return capitalise(key);
  return '';
}

function cellAtoms(cell: string, options: TableOptions): ExtractedAtom[] {
  const trimmed = cell.trim();
  if (BOOLEAN_CELL.test(trimmed)) {
    const start = cell.indexOf(trimmed);
    const value = TRUE_CELL.test(trimmed);
    return [makeAtom(cell, start, start + trimmed.length, 'BooleanAtom', 'boolean', { boolean: value }, String(value), 0.8)];
  }
  const dates = extractDates(cell, options.referenceDate);
  const numbers = extractNumbers(cell, { dollar: options.dollar }).filter((n) => !dates.some((d) => d.start < n.end && n.start < d.end));
  return [...numbers, ...dates, ...extractTextEntities(cell)];
}
