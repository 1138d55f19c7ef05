/**
 * NumberAtoms (plain amounts, quantities with a unit, percentages, money) and range JSONAtoms
 * from plain text. Scanning is token-based: find a run of digits, then look at a few characters
 * on either side, so there is no regex that can backtrack over a long input.
 */
import type { ExtractedAtom } from '../types';
import { groupThousands, makeAtom, tidy } from './common';

export interface NumberOptions {
  /** What a bare "$" means here: 'CAD' when the text or its context is Canadian. */
  dollar?: string;
}

/** A number as found, before ranges are formed. */
interface NumTok {
  start: number;
  end: number;
  value: number;
  /** The digits as written (no sign, symbol or unit), for the canonical form. */
  digits: string;
  kind: 'amount' | 'percentage' | 'currency' | 'quantity';
  unit?: string;
  symbol?: string;
}

const MAX_DIGITS = 40;
const LATIN_WORD = /[A-Za-z0-9_\u00C0-\u024F]/; // a longer run is an identifier or garbage, not a value
const DIGIT_RUN = /\d[\d,.]*/g;
const PLAIN = /^\d+(?:\.\d+)?$/;
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
// digits-digits-digits: ISO dates, phone numbers, account numbers. Never values.
const CHAIN = /\d+(?:[-–/]\d+){2,}/y;
const SPACE_GROUPS = /(?:[ \u00A0\u202F\u2009]\d{3})+(?![\d,.]\d)/y;

// Words after which a number is a label, not a value: "Section 3", "s. 153(1)", "Form 1040".
const REFERENCE_BEFORE =
  /(?:(?<![\p{L}\p{N}'’])(?:s|ss|sec|secs|section|sections|subsection|subsections|art|arts|article|articles|para|paras|paragraph|paragraphs|subparagraph|clause|clauses|rule|rules|schedule|schedules|part|parts|chapter|chapters|ch|item|items|form|forms|line|lines|page|pages|p|pp|step|steps|appendix|exhibit|table|figure|fig|no|nos|number|version|v|bill|phase|level|tier|grade|room|suite|box|question|q|option|stage|annex|regulation|regulations|reg|regs|ISO|grid|band|class|category|zone|module|ticket|po|id)\.?|#|§{1,2})\s*$/iu;
const REFERENCE_TAIL = /(?:\.\d+)*[a-z]?(?:\([0-9a-zA-Z]{1,4}\)){0,4}(?:\s*(?:,|and|or|to|-|–)\s*\d+[a-z]?(?:\([0-9a-zA-Z]{1,4}\)){0,4}){0,5}/y;

const CURRENCY_PREFIX = /(?<![\p{L}\p{N}])(C\$|CA\$|CAD\s?\$|US\$|USD\s?\$|AU\$|A\$|\$|€|£|¥|CAD|USD|EUR|GBP|JPY|AUD|CHF)\s?$/u;
const PERCENT_AFTER = /^\s?(?:%|percent\b|per cent\b|pct\b)/i;
const MULTIPLIER_AFTER = /^\s?(thousand|million|billion|trillion)\b/i;
const SHORT_MULTIPLIER_AFTER = /^(k|K|M|MM|bn|B)(?![\p{L}\p{N}])/u;
const CURRENCY_AFTER = /^\s?(CAD|USD|EUR|GBP|JPY|AUD|CHF|Canadian dollars?|US dollars?|U\.S\. dollars?|dollars?|euros?|\$|€)(?![\p{L}\p{N}])/u;
// Units of measure only (time, distance, weight, data); counted nouns ("50 employees") are not units.
const UNIT_AFTER =
  /^[\s-]?(business days?|calendar days?|working days?|days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|seconds?|km|kilometres?|kilometers?|miles?|metres?|meters?|kg|kilograms?|lbs?|GB|MB|TB|gigabytes?|megabytes?)(?![\p{L}\p{N}])/iu;
const ATTACHED_UNIT = /^(km|kg|GB|MB|TB|h|hr|hrs|min)(?![\p{L}\p{N}])/u;
const ORDINAL_OR_TIME_AFTER = /^(?:st|nd|rd|th|am|pm|a\.m|p\.m)\b|^\s?(?:am|pm|a\.m\.|p\.m\.)(?![\p{L}])/iu;
const RANGE_CHANGE_VERB =
  /\b(?:increase[sd]?|increasing|decrease[sd]?|decreasing|rise[sn]?|rising|rose|raised?|raising|reduced?|reducing|lower(?:ed|s)?|drops?|dropped|falls?|fell|goes|went|change[sd]?|changing|moves?|moved|grows?|grew|cut|adjust(?:ed|s)?|jumps?|jumped|updated?|revised?|amended?)\b(?:\s+\S+){0,3}\s+from\s+$/i;

const CODES: Record<string, string> = {
  'C$': 'CAD', 'CA$': 'CAD', 'CAD$': 'CAD', 'US$': 'USD', 'USD$': 'USD', 'AU$': 'AUD', 'A$': 'AUD',
  '€': 'EUR', '£': 'GBP', '¥': 'JPY', CAD: 'CAD', USD: 'USD', EUR: 'EUR', GBP: 'GBP', JPY: 'JPY', AUD: 'AUD', CHF: 'CHF',
};
const SYMBOLS: Record<string, string> = { USD: '$', CAD: '$', AUD: '$', EUR: '€', GBP: '£', JPY: '¥' };
const MULTIPLIERS: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, k: 1e3, m: 1e6, mm: 1e6, b: 1e9, bn: 1e9 };

/** 'CAD' when text says so ("CAD", "C$", "Canadian", a province...), else 'USD'. */
export function dollarCurrency(...texts: (string | undefined)[]): string {
  const all = texts.filter(Boolean).join('\n');
  return CANADIAN.test(all) ? 'CAD' : 'USD';
}
const CANADIAN =
  /\b(?:CAD|CA\$|C\$|Canadian|Canada|CRA|CPP|QPP|RRSP|TFSA|Alberta|British Columbia|Manitoba|New Brunswick|Newfoundland|Nova Scotia|Ontario|Prince Edward Island|Qu[eé]bec|Saskatchewan|Northwest Territories|Nunavut|Yukon|GST\/HST|HST|QST)\b|C\$/;

export function extractNumbers(text: string, options: NumberOptions = {}): ExtractedAtom[] {
  const dollar = options.dollar ?? 'USD';
  const toks = scan(text, dollar);
  return formRanges(text, toks);
}

function scan(text: string, dollar: string): NumTok[] {
  const out: NumTok[] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    const tok = readNumber(text, m.index, m[0], dollar);
    if (tok === 'skip') continue;
    if (typeof tok === 'number') {
      DIGIT_RUN.lastIndex = Math.max(DIGIT_RUN.lastIndex, tok);
      continue;
    }
    out.push(tok);
    DIGIT_RUN.lastIndex = Math.max(DIGIT_RUN.lastIndex, tok.end);
  }
  return out;
}

/** A token, 'skip', or the offset to resume scanning from (to skip a whole identifier). */
function readNumber(text: string, at: number, run: string, dollar: string): NumTok | 'skip' | number {
  const before = text[at - 1];
  // Part of a word or code: "T2200", "FY2025", "C-47", "2024/25" already seen. Only Latin letters
  // glue: "税率は10%" has a value.
  if (LATIN_WORD.test(before ?? '')) return at + run.length;
  if ((before === '-' || before === '/' || before === '.') && /[\p{L}.]/u.test(text[at - 2] ?? '')) return at + run.length;
  if (before === '.' && /\d/.test(text[at - 2] ?? '')) return at + run.length;
  CHAIN.lastIndex = at;
  if (CHAIN.test(text)) return CHAIN.lastIndex;

  // Trailing sentence punctuation is not part of the number.
  let digits = run.replace(/[.,]+$/, '');
  if (digits.replace(/\D/g, '').length > MAX_DIGITS) return at + run.length;
  if (!PLAIN.test(digits) && !GROUPED.test(digits)) return at + run.length; // "1.2.3", "5,00"
  let end = at + digits.length;

  const head = text.slice(Math.max(0, at - 40), at);
  if (REFERENCE_BEFORE.test(head)) {
    REFERENCE_TAIL.lastIndex = end;
    return REFERENCE_TAIL.test(text) ? REFERENCE_TAIL.lastIndex : end;
  }
  const prefix = CURRENCY_PREFIX.exec(head);
  // Thousands separated by spaces: "1 000 000" (always with no-break/thin spaces; with plain
  // spaces only next to a currency or percent sign, where it cannot be two numbers).
  if (/^\d{1,3}$/.test(digits)) {
    SPACE_GROUPS.lastIndex = end;
    if (SPACE_GROUPS.test(text)) {
      const groups = text.slice(end, SPACE_GROUPS.lastIndex);
      const tail = text.slice(SPACE_GROUPS.lastIndex, SPACE_GROUPS.lastIndex + 12);
      if (!groups.includes(' ') || prefix || /^\s?(?:%|\$|€|CAD|USD|EUR)/.test(tail)) {
        digits += groups;
        end += groups.length;
      }
    }
  }

  let after = text.slice(end, end + 40);
  if (ORDINAL_OR_TIME_AFTER.test(after)) return 'skip';
  const slash = /^[/:]\d+/.exec(after); // "3/4", "10:30"
  if (slash) return end + slash[0].length;
  // Enumerations: "1. Scope" or "2) Fees" at the start of a line; "(3)" standing alone.
  if (/^[.)](?:\s|$)/.test(after) && /(?:^|\n)[ \t]*$/.test(text.slice(Math.max(0, at - 10), at))) return 'skip';
  if (/^\s+forms?\b/i.test(after)) return 'skip'; // "1099 forms
  if (before === '(' && after[0] === ')' && !UNIT_AFTER.test(after.slice(1))) return 'skip';

  let value = Number(digits.replace(/[^\d.]/g, ''));
  if (!Number.isFinite(value)) return 'skip';
  let start = at;
  let negative = false;
  const sign = text[at - 1];
  if ((sign === '-' || sign === '−') && (at < 2 || /[\s(]/.test(text[at - 2]))) {
    negative = true;
    start = at - 1;
  }

  // Multipliers widen the token: "$1.5 million", "$2M".
  const mult = MULTIPLIER_AFTER.exec(after) ?? (prefix ? SHORT_MULTIPLIER_AFTER.exec(after) : null);
  if (mult) {
    value *= MULTIPLIERS[mult[1].toLowerCase()] ?? 1;
    end += mult[0].length;
    after = text.slice(end, end + 40);
  } else if (LATIN_WORD.test(after[0] ?? '') && !ATTACHED_UNIT.test(after)) {
    return 'skip'; // "10am", "3D", "5x5"
  }

  const tok: NumTok = { start, end, value: negative ? -value : value, digits: text.slice(at, end), kind: 'amount' };
  const pct = PERCENT_AFTER.exec(after);
  if (pct) {
    tok.kind = 'percentage';
    tok.unit = '%';
    tok.end = end + pct[0].length;
    return tok;
  }
  const code = CURRENCY_AFTER.exec(after);
  if (prefix || code) {
    tok.kind = 'currency';
    const sym = prefix ? prefix[1].replace(/\s/g, '') : '';
    if (prefix) tok.start = at - prefix[0].length;
    tok.symbol = sym;
    const fromSymbol = sym === '$' ? dollar : (CODES[sym] ?? dollar);
    tok.unit = code ? codeOf(code[1], fromSymbol) : fromSymbol;
    if (code) tok.end = end + code[0].length;
    return tok;
  }
  const unit = UNIT_AFTER.exec(after) ?? ATTACHED_UNIT.exec(after);
  if (unit) {
    tok.kind = 'quantity';
    tok.unit = unit[1].toLowerCase();
    tok.end = end + unit[0].length;
    return tok;
  }
  // A bare year (1900–2099) is a date's business, not an amount.
  if (/^(?:19|20)\d\d$/.test(digits)) return 'skip';
  // A bare number before a capitalised word is usually part of a name: "5 Whys", "Top 10 Tips".
  if (/^ \p{Lu}\p{Ll}/u.test(after)) return 'skip';
  return tok;
}

function codeOf(written: string, dollar: string): string {
  const w = written.toLowerCase();
  if (w.startsWith('canadian')) return 'CAD';
  if (w.startsWith('us') || w.startsWith('u.s')) return 'USD';
  if (w.startsWith('dollar') || w === '$') return dollar;
  if (w.startsWith('euro') || w === '€') return 'EUR';
  return written.toUpperCase();
}

function toAtom(text: string, t: NumTok): ExtractedAtom {
  if (t.kind === 'percentage') {
    return makeAtom(text, t.start, t.end, 'NumberAtom', 'percentage', { number: tidy(t.value / 100) }, `${formatWritten(t)}%`, 0.95, '%');
  }
  if (t.kind === 'currency') {
    return makeAtom(text, t.start, t.end, 'NumberAtom', 'currency', { number: t.value }, money(t.value, t.unit ?? ''), 0.95, t.unit);
  }
  if (t.kind === 'quantity') {
    return makeAtom(text, t.start, t.end, 'NumberAtom', 'quantity', { number: t.value }, `${groupThousands(t.value)} ${t.unit}`, 0.85, t.unit);
  }
  return makeAtom(text, t.start, t.end, 'NumberAtom', 'amount', { number: t.value }, groupThousands(t.value), 0.7);
}

function formatWritten(t: NumTok): string {
  return (t.value < 0 ? '-' : '') + t.digits.replace(/[\s\u00A0\u202F\u2009]/g, '').replace(/^-/, '');
}

function money(value: number, code: string): string {
  const sym = SYMBOLS[code] ?? '';
  const n = Number.isInteger(value) ? groupThousands(value) : groupThousands(Math.round(value * 100) / 100).replace(/\.(\d)$/, '.$10');
  const signless = n.replace(/^-/, '');
  const sign = value < 0 ? '-' : '';
  return sym ? `${sign}${sym}${signless} ${code}` : `${sign}${signless} ${code}`.trim();
}

/** Pairs "5–10%", "between 5% and 10%", "from $1,000 to $2,000" into one range JSONAtom. */
function formRanges(text: string, toks: NumTok[]): ExtractedAtom[] {
  const out: ExtractedAtom[] = [];
  for (let i = 0; i < toks.length; i++) {
    const a = toks[i];
    const b = toks[i + 1];
    const range = b ? rangeOf(text, a, b) : null;
    if (range) {
      out.push(range);
      i++;
    } else {
      out.push(toAtom(text, a));
    }
  }
  return out;
}

function rangeOf(text: string, a: NumTok, b: NumTok): ExtractedAtom | null {
  const gap = text.slice(a.end, b.start);
  if (gap.length > 12) return null;
  const head = text.slice(Math.max(0, a.start - 60), a.start);
  const between = /\bbetween\s+$/i.exec(head);
  const from = /\bfrom\s+$/i.exec(head);
  let start = a.start;
  if (/^\s*and\s*$/i.test(gap)) {
    if (!between) return null;
    start = a.start - between[0].length;
  } else if (/^\s*(?:to|through|-|–|—)\s*$/i.test(gap)) {
    if (from) {
      if (RANGE_CHANGE_VERB.test(head)) return null; // "increases from 5% to 10%" is a change
      start = a.start - from[0].length;
    } else if (/to|through/i.test(gap) && a.kind === 'amount' && b.kind === 'amount') {
      return null; // "5 to 10" with nothing else is too ambiguous
    }
  } else {
    return null;
  }
  // Units must agree; a bare first number takes the second's ("5–10%").
  if (a.kind !== 'amount' && b.kind !== 'amount' && (a.kind !== b.kind || a.unit !== b.unit)) return null;
  // A bare number takes the other's unit: "5–10%", "from $1,000 to 2,000".
  const typed = b.kind !== 'amount' ? b : a;
  const kind = typed.kind;
  const unit = typed.unit ?? null;
  const scale = kind === 'percentage' ? 0.01 : 1;
  const lo = tidy(Math.min(a.value, b.value) * scale);
  const hi = tidy(Math.max(a.value, b.value) * scale);
  const canonical =
    kind === 'percentage'
      ? `${formatWritten(a)}%–${formatWritten(b)}%`
      : kind === 'currency'
        ? `${money(a.value, unit ?? '').replace(/ \w+$/, '')}–${money(b.value, unit ?? '')}`
        : kind === 'quantity'
          ? `${groupThousands(a.value)}–${groupThousands(b.value)} ${unit}`
          : `${groupThousands(a.value)}–${groupThousands(b.value)}`;
  return makeAtom(text, start, b.end, 'JSONAtom', 'range', { json: { min: lo, max: hi, unit } }, canonical, 0.9, unit ?? undefined);
}
