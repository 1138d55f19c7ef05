/**
 * BooleanAtoms: a yes/no property stated about a subject — "Field X is required",
 * "Auto-renewal: enabled", "Smoking is prohibited". The quote is the value word(s); the name is
 * the subject plus the property ("Auto-renewal enabled"). Obligations on people ("are required
 * to file") are not booleans: molecules.ts reads those as constraints.
 */
import type { ExtractedAtom } from '../types';
import { capitalise, makeAtom } from './common';

const PREDICATE_WORDS = 'required|mandatory|optional|enabled|disabled|allowed|permitted|prohibited|forbidden';
// "<subject> is (not) required": the copula is matched, the subject is read backwards from it.
const PREDICATE = new RegExp(
  `(?<![\\p{L}])(?:is|are|be|been|remains?|stays?|becomes?|is set to|are set to)\\s+(?:\\p{L}+ly\\s+)?((?:not\\s+|no\\s+longer\\s+)?(?:${PREDICATE_WORDS}))(?![\\p{L}])`,
  'giu',
);
// "Auto-renewal: enabled", "Receipt required = yes". One per line or sentence.
const COLON = /^([^:=\n]{1,60}?)\s*[:=]\s*(yes|no|true|false|enabled|disabled|required|optional|mandatory|not required|allowed|prohibited|on|off)\s*[.;]?\s*$/di;

const POSITIVE = new Set(['required', 'mandatory', 'enabled', 'allowed', 'permitted', 'yes', 'true', 'on']);
const PROPERTY: Record<string, string> = {
  required: 'required', mandatory: 'required', optional: 'required',
  enabled: 'enabled', disabled: 'enabled', on: 'enabled', off: 'enabled',
  allowed: 'allowed', permitted: 'allowed', prohibited: 'allowed', forbidden: 'allowed',
  yes: '', no: '', true: '', false: '',
};
const CLAUSE_BREAK = /(?:[,;:(]|\b(?:if|when|where|whenever|that|which|unless|and|but|or|then|because|while|although|so)\b)/gi;
const DETERMINERS = /^(?:the|a|an|all|any|each|every|this|that|these|those|our|your|its|their|some|no)\s+/i;
const PRONOUN = /^(?:it|this|that|they|these|those|which|what|he|she|we|you|i)$/i;

export function extractBooleans(text: string): ExtractedAtom[] {
  const out: ExtractedAtom[] = [];
  const colon = COLON.exec(text);
  if (colon?.indices?.[2]) {
    const [start, end] = colon.indices[2];
    out.push(atom(text, start, end, cleanSubject(colon[1])));
    return out;
  }
  for (const m of text.matchAll(PREDICATE)) {
    const wordStart = m.index + m[0].length - m[1].length;
    const wordEnd = m.index + m[0].length;
    // "are required to file" / "is not permitted to use": an obligation, not a property.
    if (/^\s+to\s+\p{L}/u.test(text.slice(wordEnd, wordEnd + 30))) continue;
    const subject = subjectBefore(text, m.index);
    const a = atom(text, wordStart, wordEnd, subject.text);
    // "No deduction is allowed": the determiner negates.
    if (subject.negated) {
      const value = !(a.value as { boolean: boolean }).boolean;
      a.value = { boolean: value };
      a.canonical = String(value);
    }
    out.push(a);
  }
  return out;
}

function atom(text: string, start: number, end: number, subject: string) {
  const words = text.slice(start, end).toLowerCase().split(/\s+/);
  const word = words[words.length - 1];
  const negated = words.length > 1;
  const value = POSITIVE.has(word) !== negated;
  const property = PROPERTY[word] ?? word;
  const a = makeAtom(text, start, end, 'BooleanAtom', 'boolean', { boolean: value }, String(value), subject ? 0.85 : 0.6);
  a.name = subject ? capitalise(`${subject} ${property}`.trim()) : '';
  return a;
}

/** The noun phrase before the copula: back to the last clause break, at most six words. */
function subjectBefore(text: string, copula: number): { text: string; negated: boolean } {
  let head = text.slice(Math.max(0, copula - 120), copula);
  let cut = 0;
  for (const b of head.matchAll(CLAUSE_BREAK)) cut = b.index + b[0].length;
  head = head.slice(cut);
  // Modals before the copula belong to the verb: "must be enabled".
  head = head.replace(/\s+(?:must|shall|should|will|may|can|cannot|could|would|might|also|always|never|still|now|then)(?:\s+not)?\s*$/i, '');
  return { text: cleanSubject(head), negated: /^\s*(?:no|none of the)\s/i.test(head) };
}

function cleanSubject(s: string): string {
  let subject = s.trim().replace(/^[-*•\s]+/, '').replace(DETERMINERS, '').trim();
  const words = subject.split(/\s+/).filter(Boolean);
  subject = words.slice(-6).join(' ');
  if (!subject || PRONOUN.test(subject)) return '';
  return subject;
}
