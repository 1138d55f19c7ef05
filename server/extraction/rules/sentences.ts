/**
 * Sentence splitting that keeps UTF-16 offsets into the block text. Deliberately simple:
 * split after . ! ? (plus closing quotes/brackets) when whitespace and a plausible sentence
 * start follow, and at every line break (table rows, quote paragraphs). A period that ends a
 * known abbreviation ("Inc.", "e.g.", "s. 3") or sits inside a number ("$5.50") never splits.
 */

export interface Sentence {
  start: number;
  end: number;
  text: string;
}

// Lower-cased, without the final period: never end a sentence.
const ABBREVIATIONS = new Set([
  'inc', 'ltd', 'corp', 'co', 'llc', 'plc', 'bros', 'dept', 'govt', 'assn',
  'e.g', 'i.e', 'vs', 'cf', 'approx', 'viz', 'al',
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'hon',
  'u.s', 'u.k', 'u.s.a', 'e.u',
]);
// End a sentence unless a number follows: statute sections ("s. 153(1)"), "No. 5", "Dec. 31".
const BEFORE_NUMBER = new Set([
  's', 'ss', 'sec', 'secs', 'art', 'arts', 'para', 'paras', 'subs', 'sch', 'ch', 'cl', 'no', 'nos', 'p', 'pp', 'fig', 'vol', 'reg', 'regs',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);

// Terminal punctuation, then optional closing quotes/brackets. No nested quantifiers.
// One punctuation mark at a time (a run like "..." ends at its last mark): a `+` here would
// backtrack quadratically over a long run of dots with no space after it.
const BOUNDARY = /[.!?]["'”’)\]]*(?=\s)|\n+/g;
const MAX_SENTENCE = 2000; // Hard cap so one pathological "sentence" cannot dominate the work.

export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(text); m; m = BOUNDARY.exec(text)) {
    const end = m.index + m[0].length;
    if (m[0][0] !== '\n' && !isSentenceEnd(text, m.index, end)) continue;
    push(out, text, start, m[0][0] === '\n' ? m.index : end);
    start = end;
  }
  push(out, text, start, text.length);
  return out;
}

function isSentenceEnd(text: string, punct: number, after: number): boolean {
  if (text[punct] !== '.') return true; // ! and ? always end a sentence
  if (text[punct - 1] === '.' && text[punct - 2] === '.') return true; // ellipsis
  // The word before the period.
  let w = punct;
  while (w > 0 && /[\p{L}\p{N}.]/u.test(text[w - 1]) && punct - w < 12) w--;
  const word = text.slice(w, punct).toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  // "1. Scope": a list number at the start of a line.
  if (/^\d{1,3}$/.test(word) && /(?:^|\n)[ \t]*$/.test(text.slice(Math.max(0, w - 10), w))) return false;
  if (BEFORE_NUMBER.has(word) && /^\s+\d/.test(text.slice(after, after + 3))) return false;
  // The next non-space character must look like a sentence start.
  let n = after;
  while (n < text.length && /\s/.test(text[n]) && text[n] !== '\n') n++;
  if (n >= text.length || text[n] === '\n') return true;
  return !/\p{Ll}/u.test(text[n]); // "approx. five" or "5 p.m. today" continue the sentence
}

function push(out: Sentence[], text: string, start: number, end: number): void {
  // Trim whitespace, keep offsets.
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (end <= start) return;
  for (let s = start; s < end; s += MAX_SENTENCE) {
    let e = Math.min(end, s + MAX_SENTENCE);
    if (e < end && /[\uD800-\uDBFF]/.test(text[e - 1])) e--; // never split a surrogate pair
    out.push({ start: s, end: e, text: text.slice(s, e) });
  }
}
