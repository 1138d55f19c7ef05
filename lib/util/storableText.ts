/**
 * Text as PostgreSQL can store it. `text` refuses U+0000, and `jsonb` refuses the `\u0000` escape
 * and a lone surrogate's escape (JSON.stringify writes both), failing the whole statement; every
 * later write of the same row then fails too. Each such code unit becomes U+FFFD (what a UTF-8
 * encoder makes of a lone surrogate anyway): one code unit for one, so UTF-16 offsets into the
 * text, which annotations are, still point at the same characters. Other text comes back as it was.
 */

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

export function storableText(text: string): string {
  // Surrogate pairs (emoji) match the quick test too; only the full one tells them apart.
  if (!HAS_UNSTORABLE.test(text)) return text;
  return text.replace(UNSTORABLE, '\uFFFD');
}

/**
 * A JSON-shaped value with storableText applied to every string in it, object keys included. What
 * needed nothing comes back as the same object (the projection calls this on every block of every
 * run), so only the parts that changed are copied.
 */
export function storableJson<T>(value: T): T;
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, index) => {
      const stored = storableJson(item);
      if (stored !== item) (copy ??= [...value])[index] = stored;
    });
    return copy ?? value;
  }
  const entries = Object.entries(value);
  const stored = entries.map(([key, item]) => [storableText(key), storableJson(item)] as const);
  const changed = stored.some(([key, item], index) => key !== entries[index][0] || item !== entries[index][1]);
  return changed ? Object.fromEntries(stored) : value;
}
