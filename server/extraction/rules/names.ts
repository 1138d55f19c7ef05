/**
 * Names from context: "Quebec withholding rate", "Quebec withholding threshold", "Effective date".
 * An atom is named after the nearest rate/threshold noun phrase in its sentence, prefixed with
 * the sentence's jurisdiction, and falls back to the block's heading or the document title.
 * Names are part of an atom's identity when re-extracting (reconcile.ts), so they are built
 * deterministically from the sentence alone.
 */
import type { ExtractedAtom, ExtractionContext } from '../types';
import { capitalise } from './common';
import type { Sentence } from './sentences';
import { isJurisdiction } from './text';

const CAP_BEFORE = /\b(?:up to|at most|no more than|not more than|maximum of|not exceeding|capped at|limited to)\s*$/i;
const COMPARATOR_BEFORE =
  /\b(over|above|exceeding|exceeds?|in excess of|more than|greater than|at least|not less than|no less than|minimum of|under|below|less than|fewer than|at most|up to|no more than|not more than|maximum of|not exceeding)\s*$/i;
// Bare heads usable as names when no longer rate phrase exists ("the notice period is 30 days").
const HEADS = new Set(
  ('rate rates fee fees threshold limit cap ceiling penalty salary wage price deposit budget allowance premium deductible ' +
    'discount refund bonus payment amount balance interest commission charge surcharge levy tax credit period term notice ' +
    'probation leave vacation duration window age contribution reimbursement stipend benefit retention share margin quota score ' +
    'tip gratuity markup royalty wage')
    .split(' '),
);
const NAME_STOP = /^(?:the|a|an|this|that|these|those|each|every|any|all|our|your|their|its|of|for|to|in|on|at|by|with|from|is|are|was|be|and|or|per|will|must|shall|may|can|should|not|no|than|as|it|new|current|applicable|such|same|annual|monthly|total)$/i;
const DATE_KEYWORDS: [RegExp, string][] = [
  [/\b(?:effective|in effect|takes? effect|comes? into (?:force|effect)|come into force|applies from|starting|commenc\w*)\b/i, 'Effective date'],
  [/\b(?:expir\w*|lapse\w*)\b/i, 'Expiry date'],
  [/\b(?:renew\w*)\b/i, 'Renewal date'],
  [/\b(?:terminat\w*|ends?|ending|until)\b/i, 'End date'],
  [/\b(?:file|filed|filing|tax returns?)\b/i, 'Filing deadline'],
  [/\b(?:report|reported|reporting)\b/i, 'Reporting deadline'],
  [/\b(?:complete|completed|completion)\b/i, 'Completion deadline'],
  [/\b(?:acknowledg\w*|respond\w*|response)\b/i, 'Response deadline'],
  [/\b(?:submit\w*|submission)\b/i, 'Submission deadline'],
  [/\b(?:due|deadline|no later than|by)\b/i, 'Due date'],
  [/\b(?:paid|pay|payment|remit\w*)\b/i, 'Payment date'],
  [/\b(?:start|starts|begin\w*|from|since)\b/i, 'Start date'],
  [/\b(?:notice|notify|notif\w*)\b/i, 'Notice date'],
  [/\b(?:review\w*|audit\w*)\b/i, 'Review date'],
  [/\b(?:hire|hired|hiring)\b/i, 'Hire date'],
];

const DATE_KEYWORDS_GLOBAL: [RegExp, string][] = DATE_KEYWORDS.map(([re, name]) => [new RegExp(re.source, 'gi'), name]);

/** Fills in `name` (and lowers `confidence` for fallbacks) for atoms that have none yet. */
export function nameAtoms(text: string, atoms: ExtractedAtom[], sentences: Sentence[], context: ExtractionContext): void {
  // Atoms are sorted by start: walk sentences and atoms together (a 1 MB block has many of both).
  let s = 0;
  let from = 0;
  let cached: { sentence: Sentence | null; atoms: ExtractedAtom[] } = { sentence: null, atoms: [] };
  for (const atom of atoms) {
    if (atom.name) continue;
    while (s < sentences.length - 1 && sentences[s].end <= atom.start) s++;
    const sentence = sentences[s] && sentences[s].start <= atom.start ? sentences[s] : { start: 0, end: text.length, text };
    if (cached.sentence !== sentence) {
      while (from < atoms.length && atoms[from].start < sentence.start) from++;
      const inside: ExtractedAtom[] = [];
      for (let i = from; i < atoms.length && atoms[i].start < sentence.end; i++) if (atoms[i].end <= sentence.end) inside.push(atoms[i]);
      cached = { sentence, atoms: inside };
    }
    const inSentence = cached.atoms;
    const { name, fallback } = nameOf(text, atom, sentence, inSentence, context);
    atom.name = name.slice(0, 200);
    if (fallback) atom.confidence = Math.max(0.3, Math.round((atom.confidence - 0.1) * 100) / 100);
  }
}

function nameOf(
  text: string,
  atom: ExtractedAtom,
  sentence: Sentence,
  others: ExtractedAtom[],
  context: ExtractionContext,
): { name: string; fallback: boolean } {
  const fallbackBase = (context.heading ?? context.documentTitle ?? '').trim();
  switch (atom.type) {
    case 'TextAtom':
      return { name: atom.kind === 'rate_name' ? capitalise(atom.canonical) : atom.canonical, fallback: false };
    case 'BooleanAtom':
      return fallbackBase ? { name: capitalise(`${fallbackBase} flag`), fallback: true } : { name: 'Flag', fallback: true };
    case 'DateAtom':
      return dateName(text, atom, sentence, others, fallbackBase);
    default:
      break;
  }
  if (atom.kind === 'table_row') return { name: fallbackBase || 'Table row', fallback: !fallbackBase };
  if (atom.kind === 'date_range') return { name: fallbackBase ? `${capitalise(fallbackBase)} period` : 'Period', fallback: true };
  const place = jurisdictionOf(atom, others);
  const value = valueName(text, atom, sentence, others);
  if (value) return { name: capitalise(withPlace(place, value)), fallback: false };
  const word = atom.kind === 'percentage' ? 'rate' : atom.kind === 'currency' ? 'amount' : atom.kind === 'quantity' ? (atom.unit ?? 'quantity') : atom.kind;
  if (fallbackBase) return { name: capitalise(withPlace(place, `${fallbackBase} ${word}`)), fallback: true };
  return { name: capitalise(withPlace(place, word)), fallback: true };
}

function withPlace(place: string | null, name: string): string {
  if (!place || name.toLowerCase().includes(place.toLowerCase())) return name;
  return `${place} ${name}`;
}

/** The sentence's jurisdiction nearest to the atom (before it preferred). */
function jurisdictionOf(atom: ExtractedAtom, others: ExtractedAtom[]): string | null {
  let best: ExtractedAtom | null = null;
  for (const o of others) {
    if (!isJurisdiction(o)) continue;
    if (!best || Math.abs(o.start - atom.start) < Math.abs(best.start - atom.start)) best = o;
  }
  return best ? best.canonical : null;
}

/** "withholding rate", "withholding threshold", "vacation days", or null. */
function valueName(text: string, atom: ExtractedAtom, sentence: Sentence, others: ExtractedAtom[]): string | null {
  const before = text.slice(Math.max(sentence.start, atom.start - 40), atom.start);
  const after = text.slice(atom.end, Math.min(sentence.end, atom.end + 80));
  // Durations and measures are named by what they measure, never by a nearby fee.
  if (atom.kind === 'quantity') return quantityName(text, atom, sentence, after);

  const rates = others.filter((o) => o.kind === 'rate_name');
  const comparator = COMPARATOR_BEFORE.exec(before) ?? (/^\s*(?:or more|or greater|or less|or fewer)\b/i.test(after) ? /$/.exec(before) : null);
  // "up to $1,000 … for professional development": a cap, named as a limit.
  const cap = CAP_BEFORE.exec(before);
  if (cap && atom.kind !== 'percentage') {
    const rate = nearest(rates, atom);
    if (rate) return /limit|cap|ceiling|maximum/.test(rate.canonical) ? rate.canonical : `${rate.canonical.replace(/\s*\S+$/, '') || rate.canonical} limit`;
    const purpose = /^\s*(?:per\s+[\p{L}-]+\s+){0,2}for\s+(?:the\s+|an?\s+)?([\p{L}-]+(?:\s+[\p{L}-]+)?)/u.exec(after);
    if (purpose && !NAME_STOP.test(purpose[1].split(' ')[0])) return `${purpose[1].toLowerCase()} limit`;
    const head = lastHeadNoun(text.slice(sentence.start, atom.start)) ?? firstHeadNoun(text.slice(atom.end, sentence.end));
    return head ? `${head} limit` : 'limit';
  }
  // "for amounts over $5,000" next to "withholding rate": the withholding threshold.
  if (comparator && atom.kind !== 'percentage') {
    const rate = nearest(rates, atom);
    const base = rate ? rate.canonical.replace(/\s*\S+$/, '') : '';
    if (base && !/threshold|limit|cap|ceiling/i.test(rate?.canonical ?? '')) return `${base} threshold`;
    if (rate) return rate.canonical;
    const counted = /^\s+([\p{L}][\p{L}-]+)/u.exec(after);
    if (atom.kind === 'amount' && counted && !NAME_STOP.test(counted[1])) return `number of ${counted[1].toLowerCase()} threshold`;
    const noun = nounBefore(before.slice(0, comparator.index));
    if (noun) return `${singular(noun)} threshold`;
    return null;
  }
  // "a $25 late fee", "10% withholding rate": the phrase right after the value.
  const directlyAfter = rates.find((r) => r.start >= atom.end && r.start - atom.end <= 3);
  if (directlyAfter) return directlyAfter.canonical;
  const rate = nearest(rates, atom);
  if (rate) return rate.canonical;
  // A head noun before the value in the sentence: "The bonus pool contribution is 3%".
  const head = lastHeadNoun(text.slice(sentence.start, atom.start));
  if (head) return head;
  // "500 employees", "Transactions of $10,000": the counted or qualified noun.
  const counted = /^\s+([\p{L}][\p{L}-]+)/u.exec(after);
  if (atom.kind === 'amount' && counted && !NAME_STOP.test(counted[1])) return `number of ${counted[1].toLowerCase()}`;
  const noun = nounBefore(before);
  if (noun) return `${singular(noun)} amount`;
  return firstHeadNoun(text.slice(atom.end, sentence.end));
}

function quantityName(text: string, atom: ExtractedAtom, sentence: Sentence, after: string): string | null {
  const unit = atom.unit ?? '';
  // "15 days of vacation" → "vacation days"; "5 years of service" → "service years".
  const of = /^\s+of\s+(?:paid\s+|unpaid\s+|continuous\s+)?([\p{L}-]+)/u.exec(after);
  if (of && !NAME_STOP.test(of[1])) return `${of[1].toLowerCase()} ${unit}`.trim();
  // "30 days after the due date" → "days after due date".
  const anchor = /^\s+(after|before|from|following|prior to)\s+(?:the\s+|a\s+|an\s+)?([\p{L}-]+(?:\s+[\p{L}-]+)?)/u.exec(after);
  if (anchor) return `${unit} ${anchor[1]} ${anchor[2].toLowerCase()}`;
  // "The probation period is 90 days" (only heads that are durations, not "regular rate").
  const head = lastHeadNoun(text.slice(sentence.start, atom.start));
  if (head && DURATION_HEADS.test(head)) return head;
  if (COMPARATOR_BEFORE.test(text.slice(Math.max(sentence.start, atom.start - 40), atom.start))) return `${unit} threshold`;
  return null;
}

const DURATION_HEADS = /\b(?:period|notice|leave|vacation|probation|term|duration|window|age|retention)$/;

/** The noun right before "of"/"valued at"/the value: "Transactions of", "Gifts valued at". */
export function nounBefore(before: string): string | null {
  const m = /([\p{L}][\p{L}-]*)\s+(?:(?:valued\s+at|valued|worth|priced\s+at|priced|costing|of|at|exceeds?|exceeding)\s+)?$/u.exec(before);
  if (!m || NAME_STOP.test(m[1]) || /^(?:exceeds?|exceeding|over|above|under|below|than|least|most|to|up|worth|valued)$/i.test(m[1])) return null;
  return m[1].toLowerCase();
}

function nearest(list: ExtractedAtom[], atom: ExtractedAtom): ExtractedAtom | null {
  let best: ExtractedAtom | null = null;
  let bestDistance = Infinity;
  for (const r of list) {
    // Prefer phrases before the value (the subject) by counting distance after it double.
    const d = r.end <= atom.start ? atom.start - r.end : 2 * (r.start - atom.end) + 1;
    if (d >= 0 && d < bestDistance) {
      best = r;
      bestDistance = d;
    }
  }
  return best;
}

function lastHeadNoun(s: string): string | null {
  return headPhrase(s, 'last');
}

function firstHeadNoun(s: string): string | null {
  return headPhrase(s, 'first');
}

/** A head noun with up to two modifiers before it and compound heads after ("notice period"). */
function headPhrase(s: string, which: 'first' | 'last'): string | null {
  const words = [...s.matchAll(/[\p{L}][\p{L}'’-]*/gu)];
  const isHead = (w: string) => HEADS.has(w.toLowerCase()) || HEADS.has(singular(w.toLowerCase()));
  const heads = words.map((w, i) => (isHead(w[0]) ? i : -1)).filter((i) => i >= 0);
  if (!heads.length) return null;
  let i = which === 'last' ? heads[heads.length - 1] : heads[0];
  const adjacent = (a: number, b: number) => /^\s+$/.test(s.slice(words[a].index + words[a][0].length, words[b].index));
  let j = i;
  while (j + 1 < words.length && isHead(words[j + 1][0]) && adjacent(j, j + 1)) j++;
  // Compound heads before: "late payment penalty" — "payment" is a head too.
  while (i > 0 && isHead(words[i - 1][0]) && adjacent(i - 1, i)) i--;
  // One modifier ("bonus pool contribution" keeps "pool"); acronyms come on top ("RRSP contributions").
  for (let k = 0; k < 2 && i > 0; k++) {
    const w = words[i - 1][0];
    const acronym = /^[A-Z]{2,6}$/.test(w);
    if (NAME_STOP.test(w) || !adjacent(i - 1, i) || /(?:ly|ed|es)$/.test(w) || (k === 1 && !acronym)) break;
    i--;
  }
  const phrase = s
    .slice(words[i].index, words[j].index + words[j][0].length)
    .split(/(\s+)/)
    .map((w) => (/^[A-Z]{2,6}$/.test(w) ? w : w.toLowerCase()))
    .join('');
  return /^(?:payment|amount|interest|share|balance|term|age|score)$/.test(phrase) && which === 'first' ? null : phrase;
}

export function singular(w: string): string {
  if (/ies$/.test(w)) return w.slice(0, -3) + 'y';
  if (/(?:ss|us)$/.test(w) || /^(?:goods|news|series|species|premises|sales|earnings|savings|damages|proceeds)$/.test(w)) return w;
  return w.replace(/s$/, '');
}

function dateName(
  text: string,
  atom: ExtractedAtom,
  sentence: Sentence,
  others: ExtractedAtom[],
  fallbackBase: string,
): { name: string; fallback: boolean } {
  // The keyword closest before the date wins; then anything in the sentence.
  const before = text.slice(sentence.start, atom.start);
  let best: { name: string; at: number } | null = null;
  for (const [re, name] of DATE_KEYWORDS_GLOBAL) {
    const all = [...before.matchAll(re)];
    const at = all.length ? all[all.length - 1].index : -1;
    if (at >= 0 && (!best || at > best.at)) best = { name, at };
  }
  if (best) return { name: best.name, fallback: false };
  const after = text.slice(atom.end, sentence.end);
  for (const [re, name] of DATE_KEYWORDS) if (re.test(after)) return { name, fallback: false };
  const term = others.find((o) => o.kind === 'defined_term' && /date|day|period/i.test(o.canonical));
  if (term) return { name: capitalise(term.canonical.toLowerCase()), fallback: false };
  if (/^(?:within|by|in)\b/i.test(atom.quote)) return { name: 'Deadline', fallback: false };
  if (fallbackBase) return { name: `${capitalise(fallbackBase)} date`, fallback: true };
  return { name: 'Date', fallback: true };
}

const SUBJECT_STOP =
  /^(?:to|in|of|for|with|from|by|on|at|under|over|above|below|that|which|who|whose|where|when|if|provided|valued|worth|more|less|greater|fewer|exceeding|based|located|hired|employed|working|earning|engaged|registered|issued|made|paid|\$.*|€.*|£.*|\d.*|\(.*)$/i;

/** The noun phrase a clause is about: the words before its first verb, at most five. */
export function subjectPhrase(clause: string): string {
  // Skip a leading conditional clause: "Where the supplier is not registered, no GST is charged".
  clause = clause.replace(/^\s*(?:if|when|whenever|where|once|upon|unless|in the event|provided)\b[^,]*,\s+/i, '');
  const m = /^(.*?)\s+(?:is|are|was|were|will|must|shall|may|might|can|cannot|can't|should|would|could|requires?|applies|apply|has|have|needs?|gets?|receives?|earns?|accrues?|pays?|do|does|depends?|takes?|becomes?|remains?|qualif(?:y|ies)|expires?|renews?)\b/i.exec(
    clause.trim(),
  );
  const phrase = (m ? m[1] : clause)
    .replace(/^.*,\s+/, '') // after a leading clause ("If …, the employee")
    .replace(/^[\s,;:]*(?:then\s+)?(?:the|a|an|all|any|each|every|our|your|their|this|these|those)\s+/i, '')
    .trim();
  const words: string[] = [];
  // The head of the noun phrase: stop at its qualifiers ("Digital services provided to …").
  for (const w of phrase.split(/\s+/).filter(Boolean)) {
    if (words.length && SUBJECT_STOP.test(w)) break;
    words.push(w);
    if (words.length === 5) break;
  }
  return words.join(' ').replace(/[,;:.]+$/, '');
}
