/**
 * Re-anchoring a standoff annotation after its block's text changed, the way W3C Web
 * Annotation selectors do: a TextQuoteSelector (quote + prefix + suffix) disambiguated by a
 * TextPositionSelector (the old start). Pure: old selector + new text in, new span or null out.
 */

export const CONTEXT_CHARS = 32;

export interface Selector {
  start: number;
  end: number;
  quote: string;
  prefix: string;
  suffix: string;
}

export function selectorAt(text: string, start: number, end: number): Selector {
  return {
    start,
    end,
    quote: text.slice(start, end),
    prefix: text.slice(Math.max(0, start - CONTEXT_CHARS), start),
    suffix: text.slice(end, end + CONTEXT_CHARS),
  };
}

/** Length of the common suffix of a and b. */
function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Where the annotation is now, or null when its text is gone (the caller marks it orphaned).
 * Candidates: every occurrence of the exact quote, and the span between the old prefix and the
 * old suffix (the quote itself was edited: someone typed inside it). Each scores the characters
 * of old context still around it, less one point per 4 characters of distance from the old
 * position, so of two equal sentences the one where the annotation was wins. An exact
 * occurrence counts only with one side of its context intact (8 characters, or the whole side
 * if shorter): a quote found among strangers is more likely other text than ours, and an
 * orphan the person can re-attach beats a highlight on the wrong words.
 */
export function reanchor(selector: Selector, text: string): { start: number; end: number } | null {
  const { quote, prefix, suffix } = selector;
  const enough = (matched: number, side: string) => matched >= Math.min(8, side.length);
  const penalty = (at: number) => Math.abs(at - selector.start) / 4;
  const candidates: Array<{ start: number; end: number; score: number }> = [];
  const consider = (start: number, end: number, score: number) => candidates.push({ start, end, score });
  for (let at = quote ? text.indexOf(quote) : -1; at !== -1; at = text.indexOf(quote, at + 1)) {
    const before = commonSuffix(text.slice(Math.max(0, at - prefix.length), at), prefix);
    const after = commonPrefix(text.slice(at + quote.length, at + quote.length + suffix.length), suffix);
    if (enough(before, prefix) || enough(after, suffix)) consider(at, at + quote.length, before + after - penalty(at));
  }
  const edited = betweenContext(selector, text);
  if (edited) {
    // Text typed at the edge of the span is outside it, as with inline marks: when the quote is
    // still whole between the old prefix and suffix, the annotation is the quote.
    const inside = quote ? text.slice(edited.start, edited.end).indexOf(quote) : -1;
    const start = inside >= 0 ? edited.start + inside : edited.start;
    const end = inside >= 0 ? start + quote.length : edited.end;
    consider(start, end, edited.context - penalty(start));
  }
  const best = candidates.sort((a, b) => b.score - a.score)[0];
  return best ? { start: best.start, end: best.end } : null;
}

/** Deletions can eat into the context next to the quote: this much may be trimmed off it. */
const MAX_TRIM = 16;

/**
 * The span between what is left of the old prefix and suffix, nearest the old position: the
 * quote was edited. Either side may have lost up to MAX_TRIM characters at its inner edge (a
 * deletion across the boundary); at least 4 characters of each must remain, unless that side
 * ran to the block's start or end. Nothing left between them: the text is gone.
 */
function betweenContext(selector: Selector, text: string): { start: number; end: number; context: number } | null {
  const { quote, prefix, suffix } = selector;
  // Context shorter than CONTEXT_CHARS ran to the block's edge; it may be trimmed to nothing.
  const minPrefix = prefix.length < CONTEXT_CHARS ? 0 : 4;
  const minSuffix = suffix.length < CONTEXT_CHARS ? 0 : 4;
  let start = -1;
  let before = '';
  for (let kp = 0; kp <= MAX_TRIM && prefix.length - kp >= minPrefix; kp++) {
    before = prefix.slice(0, prefix.length - kp);
    const at = before.length > 0 ? nearestIndex(text, before, selector.start - prefix.length) : 0;
    if (at !== -1) {
      start = at + before.length;
      break;
    }
  }
  if (start === -1) return null;
  for (let ks = 0; ks <= MAX_TRIM && suffix.length - ks >= minSuffix; ks++) {
    const after = suffix.slice(ks);
    const end = after.length > 0 ? text.indexOf(after, start) : text.length;
    if (end === -1) continue;
    if (end === start || end - start > Math.max(4 * quote.length, quote.length + 64)) return null;
    return { start, end, context: before.length + after.length };
  }
  return null;
}

function nearestIndex(text: string, needle: string, near: number): number {
  let best = -1;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    if (best === -1 || Math.abs(at - near) < Math.abs(best - near)) best = at;
  }
  return best;
}
