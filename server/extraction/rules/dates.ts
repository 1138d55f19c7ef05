/**
 * DateAtoms via chrono-node: absolute dates ("January 1, 2026", "2026-01-01", "1 Jan 2026"),
 * relative ones ("within 30 days", "next Monday") resolved against `referenceDate` so the
 * result is deterministic, and bare years in context ("in 2026"). Date ranges become a JSONAtom.
 */
import * as chrono from 'chrono-node';
import type { ExtractedAtom } from '../types';
import { isWordChar, makeAtom } from './common';

type Parsed = ReturnType<typeof chrono.parse>[number];

const LEADING = /^(?:on|at|by|from|since|until|till|as of|as at|starting|beginning|effective)\s+/i;
const TRAILING = /[\s,.;:]+$/;
const RELATIVE_WORDS = /\b(?:next|last|this|coming|following|within|in|ago|from now|today|tomorrow|yesterday|tonight|end of|beginning of|start of)\b/i;
// "30 days after" is anchored on an event named later in the sentence, not on today: a quantity.
const EVENT_ANCHORED = /^\d+\s+\p{L}+\s+(?:before|after|prior|following|later|earlier)$/iu;
const FULL_WEEKDAY = /(?:mon|tues|wednes|thurs|fri|satur|sun)day/i;
const COUNT = '(?:\\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|ninety)';
const ANCHORED_ON_NOW = new RegExp(
  `^(?:within\\s+(?:${COUNT}|an?)\\s|in\\s+${COUNT}\\s|.*\\b(?:from now|ago|hence)$|(?:next|this|last|coming|following)\\s|(?:today|tomorrow|yesterday|tonight)$|(?:the\\s+)?end of (?:the |this )?(?:day|week|month|quarter|year)$|(?:on\\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day$)`,
  'i',
);
// chrono has no business days: "within 5 business days" counts Monday to Friday from the reference.
const BUSINESS_DAYS = /\b(?:within|in)\s+(\d{1,3})\s+(?:business|working)\s+days?\b/gi;
const MONTH_CONTEXT = /\b(?:in|by|until|till|before|after|since|during|of|from|through|to|end of|early|late|mid|mid-|starting|beginning|effective)\s*$/i;
// "in 2026", "for the 2025 tax year", "since 2020": a year standing for a date.
const YEAR = /(?<![\p{L}\p{N}$€£.,/-])((?:19|20)\d\d)(?![\p{L}\p{N}%]|[.,/-]\d)/gu;
const YEAR_BEFORE = /\b(?:in|for|since|until|till|during|before|after|by|from|through|fiscal|calendar|FY|year|end of|early|late|mid)\s*-?$/i;
const YEAR_AFTER = /^\s+(?:tax|fiscal|taxation|calendar|plan|financial|contribution|benefit)?\s*year/i;
// Sentences without any of these cannot hold a date; skipping them keeps chrono's work small.
const MAYBE_DATE =
  /jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|today|tomorrow|yesterday|tonight|week|month|year|day|hour|minute|next|last|now|ago|\d[/.-]\d|\d(?:st|nd|rd|th)\b|\b(?:19|20)\d\d\b/i;

export function extractDates(text: string, referenceDate: Date): ExtractedAtom[] {
  if (!MAYBE_DATE.test(text)) return [];
  const out: ExtractedAtom[] = [];
  const results = chrono.parse(text, { instant: referenceDate, timezone: 'UTC' }, { forwardDate: true });
  for (const r of results) {
    const atom = toAtom(text, r);
    if (atom) out.push(atom);
  }
  for (const m of text.matchAll(BUSINESS_DAYS)) {
    const start = m.index;
    const end = start + m[0].length;
    const iso = addBusinessDays(referenceDate, Number(m[1]));
    for (let i = out.length - 1; i >= 0; i--) if (out[i].start < end && start < out[i].end) out.splice(i, 1);
    out.push(makeAtom(text, start, end, 'DateAtom', 'relative_date', { date: iso }, iso, 0.8));
  }
  for (const m of text.matchAll(YEAR)) {
    const start = m.index;
    const end = start + m[1].length;
    if (out.some((a) => a.start < end && start < a.end)) continue;
    const before = text.slice(Math.max(0, start - 20), start);
    const after = text.slice(end, end + 30);
    if (!YEAR_BEFORE.test(before) && !YEAR_AFTER.test(after)) continue;
    out.push(makeAtom(text, start, end, 'DateAtom', 'year', { date: m[1] }, m[1], 0.75));
  }
  return out.sort((a, b) => a.start - b.start);
}

function toAtom(text: string, r: Parsed): ExtractedAtom | null {
  let start = r.index;
  let quote = r.text;
  const lead = LEADING.exec(quote);
  const relative = isRelative(r);
  if (lead && !relative) {
    start += lead[0].length;
    quote = quote.slice(lead[0].length);
  }
  quote = quote.replace(TRAILING, '');
  const end = start + quote.length;
  if (!quote) return null;
  // Must not start or end inside a number or word ("1,000 to 2" is not a time range).
  if (isWordChar(text[start - 1]) || isWordChar(text[end])) return null;
  if (/[.,]/.test(text[start - 1] ?? '') && /\d/.test(text[start - 2] ?? '')) return null;

  const known = knownOf(r.start);
  const hasDate = 'day' in known || 'month' in known || 'year' in known || 'weekday' in known;
  if (!hasDate && !relative) return null; // a time of day alone ("5 to 10" read as hours)
  if (/^now$/i.test(quote)) return null;
  if (EVENT_ANCHORED.test(quote)) return null;
  // Only expressions anchored on "now" are relative dates; "for 90 days", "after 5 years", "a month"
  // are durations (numbers.ts), "lasts" or "night" are chrono's over-reading.
  if (relative && !ANCHORED_ON_NOW.test(quote)) return null;
  if (/^\d{1,2}\/\d{1,2}$/.test(quote)) return null; // "3/4" is a fraction
  const weekdayOnly = 'weekday' in known && !('day' in known) && !('month' in known);
  if (weekdayOnly && !FULL_WEEKDAY.test(quote)) return null; // "Sun", "Wed" as words
  // "any day other than a Saturday, Sunday or …": generic weekdays, not dates.
  if (weekdayOnly && /(?:\b(?:a|an|any|every|each|per)|day,?(?:\s+(?:or|and))?)\s+$/i.test(text.slice(Math.max(0, start - 12), start))) return null;
  const monthOnly = 'month' in known && !('day' in known) && !('year' in known) && !relative;
  if (monthOnly && !MONTH_CONTEXT.test(text.slice(Math.max(0, start - 14), start))) return null; // "May" the modal

  if (r.end && !relative) {
    const endKnown = knownOf(r.end);
    if ('day' in endKnown || 'month' in endKnown || 'year' in endKnown) {
      const from = dayOf(r.start);
      const to = dayOf(r.end);
      return makeAtom(text, start, end, 'JSONAtom', 'date_range', { json: { start: from, end: to } }, `${from}/${to}`, 0.85);
    }
  }
  if (relative) {
    const iso = dayOf(r.start);
    return makeAtom(text, start, end, 'DateAtom', 'relative_date', { date: iso }, iso, 0.8);
  }
  const hasTime = 'hour' in known;
  const iso = hasTime ? r.start.date().toISOString().replace('.000Z', 'Z') : monthOnly || !('day' in known) ? monthOf(r.start) : dayOf(r.start);
  const confidence = 'year' in known ? 0.95 : 0.8;
  return makeAtom(text, start, end, 'DateAtom', 'date', { date: iso }, iso, confidence);
}

function isRelative(r: Parsed): boolean {
  const tags = r.tags();
  if (tags.has('result/relativeDate') || [...tags].some((t) => t.startsWith('casualReference/'))) return true;
  const known = knownOf(r.start);
  if ('weekday' in known && !('day' in known)) return true;
  return RELATIVE_WORDS.test(r.text) && !('year' in known);
}

function knownOf(c: Parsed['start']): Record<string, number> {
  const known: Record<string, number> = {};
  for (const k of ['year', 'month', 'day', 'weekday', 'hour'] as const) if (c.isCertain(k)) known[k] = c.get(k) ?? 0;
  return known;
}

function addBusinessDays(from: Date, n: number): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  for (let left = n; left > 0; ) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

const pad = (n: number | null, w = 2) => String(n ?? 0).padStart(w, '0');
const dayOf = (c: Parsed['start']) => `${pad(c.get('year'), 4)}-${pad(c.get('month'))}-${pad(c.get('day'))}`;
const monthOf = (c: Parsed['start']) => `${pad(c.get('year'), 4)}-${pad(c.get('month'))}`;
