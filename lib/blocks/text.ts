/**
 * The plain text of a block, the coordinate system of every annotation: offsets are UTF-16
 * code-unit positions into this string. Rich-text blocks: their spans joined (a quote's
 * paragraphs are joined with "\n"). Tables: cells joined with "\t", rows with "\n".
 * The editor maps these offsets back onto ProseMirror positions with the same rule.
 */
import { plainText, type BlockContent, type RichTextSpan } from './types';

export const CELL_SEPARATOR = '\t';
export const ROW_SEPARATOR = '\n';

export function blockText(content: BlockContent): string {
  if (Array.isArray(content.rows)) {
    const rows = content.rows as RichTextSpan[][][];
    return rows.map((cells) => cells.map((spans) => spans.map((s) => s.text).join('')).join(CELL_SEPARATOR)).join(ROW_SEPARATOR);
  }
  return plainText(content);
}

/** A table's cells as plain strings (row-major), or null for other blocks. */
export function tableCells(content: BlockContent): string[][] | null {
  if (!Array.isArray(content.rows)) return null;
  return (content.rows as RichTextSpan[][][]).map((cells) => cells.map((spans) => spans.map((s) => s.text).join('')));
}
