/**
 * Molecules: rules read from one sentence, linking the atoms found in it.
 *   ConditionMolecule  — "If/When/Where … ,", "In <place>, …", "… for amounts over $5,000"
 *   ConstraintMolecule — must/shall/cannot/may not/required/prohibited/at least/no more than/…
 *   ExceptionMolecule  — except/unless/other than/excluding/exempt
 *   RequiresMolecule   — requires/depends on/subject to/only after/conditional on/prior approval
 * One sentence can yield several (a Condition and an Exception, say).
 */
import type { AtomRole, Enforcement, ExtractedAtom, ExtractedMolecule, ExtractionContext, MoleculeAtomRef } from '../types';
import { capitalise } from './common';
import { nounBefore, singular, subjectPhrase } from './names';
import type { Sentence } from './sentences';
import { isJurisdiction } from './text';

type Span = [number, number];
interface Local {
  atom: ExtractedAtom;
  index: number;
}

const LEAD_MARKER = /^(?:[-*•]\s*)?(if|when|whenever|where|once|upon|in the event(?: that)?|in case|provided(?: that)?|as long as)\b/i;
const LEAD_PLACE = /^(?:[-*•]\s*)?(?:in|for|within|throughout|across|under)\b/i;
const MID_MARKER = /(?:,\s*|\s)(only if|if|whenever|provided that|in the event(?: that)?|as long as|when)\s/gi;
const WHEN_NOT_MARKER = /\b(?:date|time|day|period|moment|year|month|week|case|point)\s+$/i;
const COMPARATOR =
  /\b(for|on|with|to|of|where|in)\s+((?:[\p{L}'’-]+\s+){0,3}?)(over|above|exceeding|in excess of|more than|greater than|below|under|less than|fewer than|of more than|of less than)\s*$/iu;
const THRESHOLD_BEFORE = /\b(?:over|above|exceeding|in excess of|more than|greater than|below|under|less than|fewer than)\s*$/i;
const THRESHOLD_AFTER = /^\s*(?:or more|or greater|or less|or fewer|and (?:over|above|up|under|below))\b/i;
const WITH_AT_LEAST = /\bwith at least\s*$/i;
// The sentence's first copula, modal or auxiliary: where the subject ends.
const MAIN_AUX = /\b(?:is|are|was|were|be|must|shall|should|may|might|can|cannot|can't|will|would|could|does|do|did|has|have|had)\b/i;
const EXCEPTION =
  /\b(except(?:\s+(?:for|when|where|if|that|in|as))?|unless|other than|excluding|with the exception of|does not apply to|do not apply to|not including|exempt(?:ed)? from|(?:is|are) exempt)\b/gi;
const REQUIRES =
  /\b(requires?|depends? (?:on|upon)|dependent (?:on|upon)|subject to|only after|only once|conditional (?:on|upon)|contingent (?:on|upon)|prerequisite|prior (?:written )?(?:approval|consent|authori[sz]ation)|pre-approval)\b/i;
const CONSTRAINT =
  /\b(must not|must never|must|shall not|shall|cannot|can ?not|can't|may not|is not to|are not to|required|mandatory|prohibited|forbidden|not permitted|not allowed|should not|should|recommended|encouraged|at least|at most|no more than|no less than|not more than|not less than|not exceed|maximum|minimum|up to|limited to|capped at|no later than)\b/i;
const BLOCK_WORDS =
  /\b(?:must|shall|cannot|can ?not|can't|may not|prohibited|forbidden|not permitted|not allowed|is not to|are not to|required|mandatory)\b/i;
const WARN_WORDS = /\b(?:should|recommended|encouraged|advised|ought to|best practice)\b/i;
const COLON_LINE = /^[^:=\n]{1,60}[:=]\s*\S+\s*$/;

const OPS: [RegExp, string][] = [
  [/(?:over|above|exceeding|exceeds?|in excess of|more than|greater than|of more than)\s*$/i, '>'],
  [/(?:at least|not less than|no less than|minimum of|minimum)\s*$/i, '>='],
  [/(?:under|below|less than|fewer than|of less than)\s*$/i, '<'],
  [/(?:at most|up to|no more than|not more than|maximum of|maximum|not exceeding|not exceed|limited to|capped at)\s*$/i, '<='],
  [/(?:after|later than|following)\s*$/i, '>'],
  [/(?:before|prior to|no later than|by)\s*$/i, '<='],
];
const OP_WORDS: Record<string, string> = { '>': 'over', '>=': 'at least', '<': 'under', '<=': 'at most', '=': 'is', between: 'between' };

export interface Part {
  field: string;
  op: string;
  value: unknown;
}

export function extractMolecules(
  text: string,
  sentences: Sentence[],
  atoms: ExtractedAtom[],
  context: ExtractionContext,
): ExtractedMolecule[] {
  const out: ExtractedMolecule[] = [];
  let first = 0;
  for (const s of sentences) {
    while (first < atoms.length && atoms[first].start < s.start) first++;
    const local: Local[] = [];
    for (let i = first; i < atoms.length && atoms[i].start < s.end; i++) {
      if (atoms[i].end <= s.end && atoms[i].kind !== 'table_row') local.push({ atom: atoms[i], index: i });
    }
    out.push(...sentenceMolecules(text, s, local, context));
  }
  return out;
}

function sentenceMolecules(text: string, s: Sentence, local: Local[], context: ExtractionContext): ExtractedMolecule[] {
  const out: ExtractedMolecule[] = [];
  const enforcement = enforcementOf(s.text);
  const exceptions = exceptionClauses(s);
  const fallback = (context.heading ?? context.documentTitle ?? '').trim();

  const condition = conditionMolecule(text, s, local, exceptions, enforcement, fallback);
  if (condition) out.push(condition);
  const constraint = COLON_LINE.test(s.text) ? null : constraintMolecule(s, local, exceptions, enforcement, fallback);
  if (constraint) out.push(constraint);
  for (const e of exceptions) out.push(exceptionMolecule(s, local, e, enforcement, fallback));
  const requires = requiresMolecule(s, local, enforcement, fallback);
  if (requires) out.push(requires);
  return out;
}

function enforcementOf(sentence: string): Enforcement {
  if (BLOCK_WORDS.test(sentence)) return 'block';
  if (WARN_WORDS.test(sentence)) return 'warn';
  return 'inform';
}

// ---- Condition ----------------------------------------------------------------------------

function conditionMolecule(
  text: string,
  s: Sentence,
  local: Local[],
  exceptions: ExceptionClause[],
  enforcement: Enforcement,
  fallback: string,
): ExtractedMolecule | null {
  // Condition spans; `clause` is the writer's words for if/when clauses, else the parts are described.
  const spans: { range: Span; clause?: string }[] = [];
  let explicit = false;
  const firstBreak = clauseBreak(s.text);

  const lead = LEAD_MARKER.exec(s.text);
  if (lead && firstBreak) {
    const end = s.start + firstBreak.at;
    spans.push({ range: [s.start, end], clause: text.slice(s.start + lead[0].length, end).trim() });
    explicit = true;
  } else if (firstBreak && LEAD_PLACE.test(s.text) && firstBreak.at < 120) {
    // "In Quebec, …", "For employees in Ontario, …", "For amounts over $5,000, …"
    const end = s.start + firstBreak.at;
    const inside = local.filter((l) => l.atom.end <= end);
    const qualifies =
      inside.some((l) => isJurisdiction(l.atom)) || inside.some((l) => isValue(l.atom) && comparatorBefore(text, s.start, l.atom));
    if (qualifies && s.text.slice(0, firstBreak.at).split(/\s+/).length <= 10) spans.push({ range: [s.start, end] });
  }
  if (!lead) {
    for (const m of s.text.matchAll(MID_MARKER)) {
      const word = m[1].toLowerCase();
      const at = m.index + m[0].length - 1 - m[1].length; // the marker, after its leading space/comma
      if (at < 3) continue;
      if (word === 'when' && WHEN_NOT_MARKER.test(s.text.slice(0, at))) continue;
      const from = s.start + at;
      const stop = exceptions.find((e) => e.start > from)?.start ?? s.end;
      const end = trimEnd(text, from, stop);
      spans.push({ range: [from, end], clause: text.slice(from + m[1].length, end).trim() });
      explicit = true;
      break;
    }
  }
  // Values qualified by a threshold: "for amounts over $5,000", "Gifts valued at more than $100".
  for (const l of local) {
    if (!isValue(l.atom) || spans.some(({ range: [a, b] }) => l.atom.start >= a && l.atom.end <= b)) continue;
    if (exceptions.some((e) => l.atom.start >= e.start && l.atom.end <= e.end)) continue; // the exception's
    const q = qualifier(text, s, l.atom);
    if (q) spans.push({ range: q });
  }
  if (!spans.length) return null;

  spans.sort((a, b) => a.range[0] - b.range[0]);
  const spanOf = (a: ExtractedAtom) => spans.find(({ range: [x, y] }) => a.start >= x && a.end <= y);
  const inException = (a: ExtractedAtom) => exceptions.some((e) => a.start >= e.start && a.end <= e.end);
  const effective = local.find((l) => l.atom.type === 'DateAtom' && /(?:effective|as of|starting|beginning|commencing|in effect from)\s*(?:on\s*)?$/i.test(text.slice(Math.max(s.start, l.atom.start - 30), l.atom.start)));

  // The result is what remains of the sentence outside the conditions and exceptions; when a
  // qualifier sits in the subject ("Employers with more than 500 employees must …") it is the predicate.
  const aux = MAIN_AUX.exec(s.text);
  const subjectQualified = !!aux && spans.some((x) => !x.clause && x.range[1] <= s.start + aux.index && x.range[0] > s.start);
  const resultText = subjectQualified ? tidyClause(s.text.slice(aux.index)) : remainder(text, s, [...spans.map((x) => x.range), ...exceptions.map((e): Span => [e.start, e.end]), ...(effective ? [effectiveSpan(text, s, effective.atom)] : [])]);
  if (resultText.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length < 2) return null;

  const refs: { local: Local; role: AtomRole }[] = [];
  const conditions: Part[] = [];
  const results: Part[] = [];
  const described = new Map<object, string[]>(); // span → its parts in words
  const resultWords: string[] = [];
  for (const l of local) {
    const a = l.atom;
    if (effective && l === effective) {
      refs.push({ local: l, role: 'condition' });
    } else if (spanOf(a)) {
      refs.push({ local: l, role: 'condition' });
      const part = conditionPart(text, s, a);
      if (!part) continue;
      conditions.push(part);
      const span = spanOf(a) as object;
      described.set(span, [...(described.get(span) ?? []), describe(part, isJurisdiction(a) || a.type === 'BooleanAtom' ? undefined : a.quote)]);
    } else if (inException(a)) {
      continue; // belongs to the Exception molecule
    } else if (a.type === 'TextAtom') {
      refs.push({ local: l, role: 'subject' });
    } else {
      refs.push({ local: l, role: 'result' });
      const part = { field: resultField(a, local), op: '=', value: plainValue(a) };
      results.push(part);
      resultWords.push(describe(part, a.type === 'BooleanAtom' ? undefined : a.quote));
    }
  }

  const condition = spans
    .map((span) => span.clause ?? (described.get(span) ?? []).join(' and '))
    .filter(Boolean)
    .join(' and ');
  const result = resultWords.length ? resultWords.join(' and ') : tidyClause(resultText);
  const configuration: ExtractedMolecule['configuration'] = { ruleType: 'if_then', condition, result, conditions, results };
  if (effective) configuration.effective = (effective.atom.value as { date: string }).date;

  const firstResult = refs.find((r) => r.role === 'result')?.local.atom;
  const base =
    firstResult && !/^(?:rate|amount|threshold|date)$/i.test(firstResult.name)
      ? firstResult.name
      : subjectPhrase(subjectQualified ? s.text : resultText) || fallback || 'Rule';
  return molecule('ConditionMolecule', s, `${capitalise(base)} condition`, explicit ? 0.85 : 0.75, enforcement, refs, configuration);
}

/**
 * The span of a threshold that restricts a noun ("amounts over $5,000", "transactions of $10,000 or
 * more", "with at least 5 years"), or null. Before the sentence's first copula/modal it qualifies the
 * subject; after it, only a prepositional phrase qualifies ("is 10% for amounts over $5,000") —
 * otherwise it is the bound of a constraint ("cannot carry over more than 5 days").
 */
function qualifier(text: string, s: Sentence, a: ExtractedAtom): Span | null {
  const before = text.slice(Math.max(s.start, a.start - 80), a.start);
  const threshold = THRESHOLD_BEFORE.exec(before) ?? WITH_AT_LEAST.exec(before);
  const after = THRESHOLD_AFTER.exec(text.slice(a.end, Math.min(s.end, a.end + 20)));
  if (!threshold && !after) return null;
  const from = threshold ? a.start - threshold[0].length : a.start;
  const to = after ? a.end + after[0].length : a.end;
  const aux = MAIN_AUX.exec(s.text);
  if (!aux || s.start + aux.index >= from) return [from, to];
  const prep = COMPARATOR.exec(before);
  return prep ? [a.start - prep[0].length, to] : null;
}

/** The first ", " (or " then ") outside numbers: where a leading clause ends. */
function clauseBreak(sentence: string): { at: number } | null {
  const then = /\s(?:then)\s/i.exec(sentence);
  const comma = /,\s/.exec(sentence);
  const at = comma && (!then || comma.index < then.index) ? comma.index : then ? then.index : -1;
  return at > 0 ? { at } : null;
}

function trimEnd(text: string, from: number, to: number): number {
  while (to > from && /[\s.,;:!?]/.test(text[to - 1])) to--;
  return to;
}

function effectiveSpan(text: string, s: Sentence, date: ExtractedAtom): Span {
  const m = /,?\s*(?:effective|as of|starting|beginning|commencing|in effect from)\s*(?:on\s*)?$/i.exec(text.slice(Math.max(s.start, date.start - 30), date.start));
  return [date.start - (m ? m[0].length : 0), date.end];
}

function remainder(text: string, s: Sentence, cut: Span[]): string {
  let out = '';
  let at = s.start;
  for (const [a, b] of [...cut].sort((x, y) => x[0] - y[0])) {
    if (a > at) out += text.slice(at, a) + ' ';
    at = Math.max(at, b);
  }
  out += text.slice(at, s.end);
  return out;
}

function tidyClause(clause: string): string {
  return clause
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:])/g, '$1')
    .replace(/^[\s,;:]*(?:then\s+)?/i, '')
    .replace(/[\s,;:.!?]+$/, '')
    .trim();
}

function isValue(a: ExtractedAtom): boolean {
  return a.type === 'NumberAtom' || (a.type === 'JSONAtom' && a.kind === 'range');
}

function comparatorBefore(text: string, from: number, a: ExtractedAtom): boolean {
  return COMPARATOR.test(text.slice(Math.max(from, a.start - 80), a.start)) || /\b(?:over|above|under|below|exceeding|more than|less than)\s*$/i.test(text.slice(Math.max(from, a.start - 20), a.start));
}

function opBefore(text: string, from: number, a: ExtractedAtom): string {
  const before = text.slice(Math.max(from, a.start - 30), a.start);
  for (const [re, op] of OPS) if (re.test(before)) return op;
  if (/^\s*(?:or more|or greater|and (?:over|above|up))/i.test(text.slice(a.end, a.end + 16))) return '>=';
  if (/^\s*(?:or less|or fewer|and (?:under|below))/i.test(text.slice(a.end, a.end + 16))) return '<=';
  return '=';
}

function conditionPart(text: string, s: Sentence, a: ExtractedAtom): Part | null {
  if (isJurisdiction(a)) return { field: 'jurisdiction', op: '=', value: a.canonical };
  if (a.type === 'TextAtom') return a.kind === 'rate_name' ? null : { field: a.kind.replace(/_/g, ' '), op: '=', value: a.canonical };
  if (a.type === 'BooleanAtom') return { field: a.name.toLowerCase() || 'flag', op: '=', value: (a.value as { boolean: boolean }).boolean };
  if (a.type === 'DateAtom') return { field: 'date', op: opBefore(text, s.start, a), value: (a.value as { date: string }).date };
  if (a.kind === 'range') return { field: fieldBefore(text, s.start, a) ?? a.name.toLowerCase(), op: 'between', value: (a.value as { json: unknown }).json };
  if (a.type === 'NumberAtom') return { field: fieldBefore(text, s.start, a) ?? (a.unit && a.kind === 'quantity' ? a.unit : a.name.toLowerCase()), op: opBefore(text, s.start, a), value: plainValue(a) };
  return null;
}

/** "amounts over $5,000" → "amount"; "more than 500 employees" → "employees"; "5 years of service". */
function fieldBefore(text: string, from: number, a: ExtractedAtom): string | null {
  const after = text.slice(a.end, a.end + 40);
  if (a.kind === 'quantity' && a.unit) {
    const of = /^\s+of\s+([\p{L}-]+)/u.exec(after);
    return of ? `${a.unit} of ${of[1].toLowerCase()}` : a.unit;
  }
  const counted = /^\s+([\p{L}][\p{L}-]+)/u.exec(after);
  if (a.kind === 'amount' && counted && !/^(?:or|and|in|per|of|for|to|is|are)$/i.test(counted[1])) return counted[1].toLowerCase();
  const before = text.slice(Math.max(from, a.start - 60), a.start);
  const m = COMPARATOR.exec(before);
  const words = (m ? m[2] : '').trim().split(/\s+/).filter(Boolean);
  const noun = words.find((w) => !/^(?:the|a|an|any|all|of|is|are|be)$/i.test(w));
  if (noun) return singular(noun.toLowerCase());
  const stripped = before.replace(/\b(?:over|above|exceeding|in excess of|more than|greater than|below|under|less than|fewer than|at least|with at least)\s*$/i, '');
  const n = nounBefore(stripped);
  return n ? singular(n) : null;
}

function resultField(a: ExtractedAtom, local: Local[]): string {
  const rate = local
    .filter((l) => l.atom.kind === 'rate_name')
    .sort((x, y) => Math.abs(x.atom.start - a.start) - Math.abs(y.atom.start - a.start))[0];
  if (rate) return rate.atom.canonical;
  const place = local.find((l) => isJurisdiction(l.atom))?.atom.canonical;
  const name = a.name.toLowerCase();
  return place && name.startsWith(place.toLowerCase() + ' ') ? name.slice(place.length + 1) : name;
}

function plainValue(a: ExtractedAtom): unknown {
  const v = a.value as Record<string, unknown>;
  return v.number ?? v.boolean ?? v.date ?? v.text ?? v.json;
}

function describe(p: Part, quote?: string): string {
  const shown = quote ?? (typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value));
  return `${p.field} ${OP_WORDS[p.op] ?? p.op} ${shown}`;
}

// ---- Constraint ---------------------------------------------------------------------------

function constraintMolecule(
  s: Sentence,
  local: Local[],
  exceptions: ExceptionClause[],
  enforcement: Enforcement,
  fallback: string,
): ExtractedMolecule | null {
  const m = firstConstraint(s.text, exceptions.map((e): Span => [e.start - s.start, e.end - s.start]));
  if (!m) return null;
  const at = s.start + m.index;
  const word = m[1].toLowerCase();
  const refs: { local: Local; role: AtomRole }[] = [];
  const bounds: Part[] = [];
  for (const l of local) {
    if (exceptions.some((e) => l.atom.start >= e.start && l.atom.end <= e.end)) continue;
    const role: AtomRole = l.atom.start < at ? 'subject' : 'constraint';
    refs.push({ local: l, role });
    if (role === 'constraint' && isValue(l.atom)) {
      const before = s.text.slice(0, l.atom.start - s.start);
      let op = '=';
      for (const [re, o] of OPS) if (re.test(before.slice(-30))) op = o;
      bounds.push({ field: l.atom.name.toLowerCase(), op, value: plainValue(l.atom) });
    }
  }
  const main = exceptions.length ? remainder(s.text, { start: 0, end: s.text.length, text: s.text }, exceptions.map((e): Span => [e.start - s.start, e.end - s.start])) : s.text;
  const subject = subjectPhrase(s.text.slice(0, m.index)) || subjectPhrase(s.text);
  const configuration: ExtractedMolecule['configuration'] = { ruleType: 'constraint', constraint: tidyClause(main), modality: word, subject, bounds };
  const base = subject || refs.find((r) => r.role === 'constraint')?.local.atom.name || fallback || 'Rule';
  const modal = /must|shall|cannot|can ?not|can't|may not|should|required|mandatory|prohibited|forbidden|permitted|allowed/.test(word);
  return molecule('ConstraintMolecule', s, `${capitalise(base)} constraint`, modal ? 0.8 : 0.7, enforcement, refs, configuration);
}

function firstConstraint(sentence: string, skip: Span[]): RegExpExecArray | null {
  const re = new RegExp(CONSTRAINT.source, 'gi');
  for (let m = re.exec(sentence); m; m = re.exec(sentence)) {
    const word = m[1].toLowerCase();
    // "up to" bounds only a number ("up to $500"), not "up to date".
    if (word === 'up to' && !/^\s*(?:(?:a|an|the|total|limit|maximum|amount|sum|of)\s+){0,4}[-$€£\d]/i.test(sentence.slice(m.index + m[0].length))) continue;
    // "with at least 5 years" qualifies a subject (a condition), it bounds nothing.
    if (word === 'at least' && /\bwith\s+$/i.test(sentence.slice(0, m.index))) continue;
    // Trigger words inside an exception clause ("except where prohibited by law") are the exception's.
    if (skip.some(([a, b]) => m.index >= a && m.index < b)) continue;
    return m;
  }
  return null;
}

// ---- Exception ----------------------------------------------------------------------------

interface ExceptionClause {
  start: number;
  end: number;
  trigger: string;
  /** The excepted case in words. */
  exception: string;
  /** What the exception is to. */
  rule: string;
}

function exceptionClauses(s: Sentence): ExceptionClause[] {
  const out: ExceptionClause[] = [];
  for (const m of s.text.matchAll(EXCEPTION)) {
    const trigger = m[1].toLowerCase().replace(/\s+/g, ' ');
    const from = m.index;
    if (out.some((o) => s.start + from < o.end)) continue;
    if (/exempt$/.test(trigger) && !/^\s+from\b/i.test(s.text.slice(from + m[0].length))) {
      // "Small suppliers are exempt." — the subject is the exception.
      const subject = subjectPhrase(s.text.slice(0, from + m[0].length));
      out.push({ start: s.start + from, end: s.end, trigger, exception: subject, rule: tidyClause(s.text.slice(from + m[0].length)) || tidyClause(s.text) });
      continue;
    }
    if (/exempt/.test(trigger)) {
      const subject = subjectPhrase(s.text.slice(0, from));
      const rest = s.text.slice(from + m[0].length).replace(/^\s+from\b/i, (x) => ' '.repeat(x.length));
      const stop = /[,;]\s|$/.exec(rest);
      const end = from + m[0].length + (stop ? stop.index : rest.length);
      out.push({ start: s.start + from, end: s.start + end, trigger, exception: subject || tidyClause(s.text.slice(0, from)), rule: tidyClause(rest.slice(0, stop ? stop.index : rest.length)) });
      continue;
    }
    const rest = s.text.slice(from + m[0].length);
    // The excepted case runs to the next clause break (", " or ";") or the sentence's end; a noun
    // phrase ("other than approved suppliers", "excluding contractors") ends at the main verb.
    const clausal = /^(?:unless|except (?:when|where|if|that|as))$/.test(trigger);
    const stop = clausal ? /[,;]\s|[.!?]?$/.exec(rest) : /[,;]\s|\s(?=(?:is|are|was|were|must|shall|should|may|might|can|cannot|will|would|do|does|did|has|have)\b)|[.!?]?$/.exec(rest);
    const end = from + m[0].length + (stop ? stop.index : rest.length);
    const exception = tidyClause(rest.slice(0, stop ? stop.index : rest.length));
    const rule = tidyClause(s.text.slice(0, from) + ' ' + s.text.slice(end));
    out.push({ start: s.start + from, end: s.start + end, trigger, exception, rule });
  }
  return out;
}

function exceptionMolecule(s: Sentence, local: Local[], e: ExceptionClause, enforcement: Enforcement, fallback: string): ExtractedMolecule {
  const refs = local.map((l) => ({ local: l, role: (l.atom.start >= e.start && l.atom.end <= e.end ? 'condition' : 'subject') as AtomRole }));
  const configuration: ExtractedMolecule['configuration'] = { ruleType: 'exception', exception: e.exception, rule: e.rule, trigger: e.trigger };
  const base = subjectPhrase(e.rule) || fallback || 'Rule';
  return molecule('ExceptionMolecule', s, `${capitalise(base)} exception`, 0.8, enforcement, refs, configuration);
}

// ---- Requires -----------------------------------------------------------------------------

function requiresMolecule(s: Sentence, local: Local[], enforcement: Enforcement, fallback: string): ExtractedMolecule | null {
  const m = REQUIRES.exec(s.text);
  if (!m) return null;
  const at = s.start + m.index;
  const trigger = m[1].toLowerCase();
  const refs = local.map((l) => ({ local: l, role: (l.atom.start < at ? 'subject' : 'condition') as AtomRole }));
  const prior = /^prior|^pre-/.test(trigger);
  const requirement = prior ? tidyClause(s.text.slice(m.index)) : tidyClause(s.text.slice(m.index + m[0].length));
  const subject = subjectPhrase(s.text.slice(0, m.index)) || tidyClause(s.text.slice(0, m.index));
  const configuration: ExtractedMolecule['configuration'] = { ruleType: 'requires', requirement, subject, trigger };
  const base = subject || fallback || 'Rule';
  return molecule('RequiresMolecule', s, `${capitalise(base)} requirement`, 0.8, enforcement, refs, configuration);
}

// ---- shared -------------------------------------------------------------------------------

function molecule(
  type: ExtractedMolecule['type'],
  s: Sentence,
  name: string,
  confidence: number,
  enforcement: Enforcement,
  refs: { local: Local; role: AtomRole }[],
  configuration: ExtractedMolecule['configuration'],
): ExtractedMolecule {
  const atoms: MoleculeAtomRef[] = refs
    .sort((a, b) => a.local.atom.start - b.local.atom.start)
    .map((r, order) => ({ atom: r.local.index, role: r.role, order }));
  return { type, start: s.start, end: s.end, quote: s.text, name: name.slice(0, 200), confidence, enforcement, atoms, configuration };
}
