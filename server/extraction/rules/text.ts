/**
 * TextAtoms: jurisdictions and places (small gazetteers), organisations (gazetteer plus
 * capitalised names ending in Inc./Ltd./Agency/...), defined terms in quotes, and names of
 * rates, thresholds and fees ("withholding rate", "late fee").
 */
import type { ExtractedAtom } from '../types';
import { isWordChar, makeAtom } from './common';

/** Canonical name → spellings. Abbreviations are matched case-sensitively and only in mixed-case text. */
const JURISDICTIONS: Record<string, { names: string[]; abbr?: string[] }> = {
  Alberta: { names: ['Alberta'], abbr: ['AB'] },
  'British Columbia': { names: ['British Columbia'], abbr: ['BC', 'B.C.'] },
  Manitoba: { names: ['Manitoba'], abbr: ['MB'] },
  'New Brunswick': { names: ['New Brunswick'], abbr: ['NB'] },
  'Newfoundland and Labrador': { names: ['Newfoundland and Labrador', 'Newfoundland'], abbr: ['NL'] },
  'Nova Scotia': { names: ['Nova Scotia'], abbr: ['NS'] },
  Ontario: { names: ['Ontario'], abbr: ['ON', 'Ont.'] },
  'Prince Edward Island': { names: ['Prince Edward Island'], abbr: ['PE', 'PEI', 'P.E.I.'] },
  Quebec: { names: ['Quebec', 'Québec'], abbr: ['QC', 'Que.'] },
  Saskatchewan: { names: ['Saskatchewan'], abbr: ['SK'] },
  'Northwest Territories': { names: ['Northwest Territories'], abbr: ['NT', 'NWT'] },
  Nunavut: { names: ['Nunavut'], abbr: ['NU'] },
  Yukon: { names: ['Yukon'], abbr: ['YT'] },
  Canada: { names: ['Canada'] },
  'United States': { names: ['United States', 'United States of America'], abbr: ['USA', 'U.S.', 'U.S.A.', 'US'] },
  'United Kingdom': { names: ['United Kingdom', 'Great Britain'], abbr: ['UK', 'U.K.'] },
  'European Union': { names: ['European Union'], abbr: ['EU', 'E.U.'] },
  'District of Columbia': { names: ['District of Columbia'], abbr: ['D.C.'] },
};
const US_STATES = [
  'Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut', 'Delaware', 'Florida', 'Georgia',
  'Hawaii', 'Idaho', 'Illinois', 'Indiana', 'Iowa', 'Kansas', 'Kentucky', 'Louisiana', 'Maine', 'Maryland', 'Massachusetts',
  'Michigan', 'Minnesota', 'Mississippi', 'Missouri', 'Montana', 'Nebraska', 'Nevada', 'New Hampshire', 'New Jersey',
  'New Mexico', 'New York', 'North Carolina', 'North Dakota', 'Ohio', 'Oklahoma', 'Oregon', 'Pennsylvania', 'Rhode Island',
  'South Carolina', 'South Dakota', 'Tennessee', 'Texas', 'Utah', 'Vermont', 'Virginia', 'Washington State', 'West Virginia',
  'Wisconsin', 'Wyoming',
];
const COUNTRIES = [
  'Mexico', 'France', 'Germany', 'Italy', 'Spain', 'Portugal', 'Ireland', 'Netherlands', 'Belgium', 'Luxembourg', 'Switzerland',
  'Austria', 'Sweden', 'Norway', 'Denmark', 'Finland', 'Poland', 'Greece', 'Japan', 'China', 'India', 'Australia',
  'New Zealand', 'Brazil', 'Argentina', 'Chile', 'Singapore', 'South Korea', 'Israel', 'South Africa', 'Nigeria', 'Egypt',
  'Saudi Arabia', 'United Arab Emirates', 'Philippines', 'Indonesia', 'Vietnam', 'Colombia', 'Peru', 'Scotland', 'England',
  'Wales', 'Northern Ireland',
];
const PLACES = [
  'Toronto', 'Montreal', 'Montréal', 'Vancouver', 'Calgary', 'Edmonton', 'Ottawa', 'Winnipeg', 'Halifax', 'Quebec City',
  'Victoria', 'Regina', 'Saskatoon', 'Hamilton', 'Gatineau', 'London', 'Paris', 'Berlin', 'Dublin', 'Amsterdam', 'Brussels',
  'New York City', 'Chicago', 'Los Angeles', 'San Francisco', 'Seattle', 'Boston',
];

const ORGANISATIONS: Record<string, string[]> = {
  'Canada Revenue Agency': ['Canada Revenue Agency', 'CRA'],
  'Revenu Québec': ['Revenu Québec', 'Revenu Quebec', 'Revenue Quebec', 'Revenue Québec'],
  'Internal Revenue Service': ['Internal Revenue Service', 'IRS'],
  'HM Revenue & Customs': ['HM Revenue & Customs', 'HM Revenue and Customs', 'HMRC'],
  'Service Canada': ['Service Canada'],
  'Employment and Social Development Canada': ['Employment and Social Development Canada', 'ESDC'],
  'Canada Border Services Agency': ['Canada Border Services Agency', 'CBSA'],
  FINTRAC: ['Financial Transactions and Reports Analysis Centre of Canada', 'FINTRAC'],
  'Office of the Privacy Commissioner of Canada': ['Office of the Privacy Commissioner of Canada', 'Office of the Privacy Commissioner', 'OPC'],
  OSFI: ['Office of the Superintendent of Financial Institutions', 'OSFI'],
  'Bank of Canada': ['Bank of Canada'],
  CNESST: ['CNESST'],
  WSIB: ['WSIB', 'Workplace Safety and Insurance Board'],
  WorkSafeBC: ['WorkSafeBC'],
  'Securities and Exchange Commission': ['Securities and Exchange Commission', 'SEC'],
  'Department of Labor': ['Department of Labor', 'U.S. Department of Labor'],
  'European Commission': ['European Commission'],
  'European Data Protection Board': ['European Data Protection Board', 'EDPB'],
  FINRA: ['FINRA'],
  'World Health Organization': ['World Health Organization', 'WHO'],
  'Organisation for Economic Co-operation and Development': ['OECD'],
};

const ORG_SUFFIX =
  'Inc\\.?|Ltd\\.?|LLC|LLP|L\\.L\\.C\\.|Corp\\.?|Corporation|Company|Co\\.|Limited|GmbH|S\\.A\\.|plc|Agency|Authority|Board|Commission|Bureau|Ministry|Department|Institute|Foundation|Association|Council|Tribunal|Court|Bank|Group|Partners|Holdings|University|Revenue Agency';
// Up to five capitalised words, then a suffix. Words and separators are disjoint classes,
// so the bounded repetition cannot backtrack badly.
const ORG_PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}])((?:\\p{Lu}[\\p{L}&'’-]*|\\p{Lu}\\.|&|of|and|the|for|de|du) ){1,5}(?:${ORG_SUFFIX})(?![\\p{L}\\p{N}])`,
  'gu',
);
// "Ministry of Finance", "Government of Canada", "Office of the Auditor General".
const ORG_OF =
  /(?<![\p{L}\p{N}])(?:Ministry|Department|Office|Bank|Board|Government|Minister|Commissioner|Superintendent|Registrar|Court|Agency|Authority|Bureau|Receiver General) of (?:the )?(?!Directors|Trustees|Governors|Management)\p{Lu}[\p{L}'’-]*(?: (?:and |of |the )?\p{Lu}[\p{L}'’-]*){0,3}/gu;
// Capitalised words at the start of a sentence that are not part of a name.
const NOT_NAME = new Set([
  'The', 'A', 'An', 'Our', 'Your', 'Their', 'Its', 'His', 'Her', 'Each', 'Every', 'This', 'That', 'These', 'Those', 'Any', 'All',
  'If', 'When', 'Where', 'For', 'In', 'At', 'By', 'With', 'From', 'To', 'Under', 'Contact', 'Notify', 'Ask', 'Email', 'Call', 'Pay',
  'Send', 'Submit', 'Report', 'Inform', 'Both', 'Either', 'No', 'Only', 'Per', 'Please', 'See', 'Unless', 'Except', 'After', 'Before',
  'Once', 'Then', 'Also', 'and', 'of', 'the', 'for', 'de', 'du', '&', 'Approval', 'Registration', 'Payment', 'Payments', 'Filing',
]);

const RATE_HEADS =
  'rates?|thresholds?|fees?|penalty|penalties|limits?|caps?|ceilings?|allowances?|surcharges?|deductibles?|premiums?|levy|levies|charges?|discounts?|percentages?';
const RATE_PATTERN = new RegExp(`(?<![\\p{L}\\p{N}])(${RATE_HEADS})(?![\\p{L}\\p{N}])`, 'giu');
// Words that cannot be part of a rate's name (determiners, verbs, prepositions, vague adjectives).
const RATE_STOP = new Set(
  (
    'the a an this that these those each every any all our your their its his her of for to in on at by with from is are was were be been ' +
    'being and or but per new current applicable same such which what no not higher lower following above below over under than as it ' +
    'will must shall may can should could would charge charges charged pay pays paid apply applies applied set sets use uses used ' +
    'has have had do does did get gets receive receives include includes including exceed exceeds exceeding reach reaches'
  ).split(/\s+/),
);

// -ly/-ed words that are adjectives, not adverbs or verbs: "monthly fee", "reduced rate".
const ADJECTIVES =
  /^(?:monthly|daily|weekly|yearly|quarterly|hourly|early|reduced|fixed|combined|blended|prescribed|estimated|deferred|accrued|weighted|discounted|agreed|negotiated|published|regulated|legislated|capped|tiered|graduated|blended)$/;

export interface TextEntityOptions {
  /** Skip abbreviations (an all-caps sentence makes "ON", "US" ambiguous). */
  abbreviations?: boolean;
}

let gazetteer: { re: RegExp; canonical: Map<string, { canonical: string; kind: string; confidence: number }> } | null = null;

function buildGazetteer() {
  const canonical = new Map<string, { canonical: string; kind: string; confidence: number }>();
  const add = (spelling: string, name: string, kind: string, confidence: number) => {
    if (!canonical.has(spelling)) canonical.set(spelling, { canonical: name, kind, confidence });
  };
  for (const [name, { names, abbr }] of Object.entries(JURISDICTIONS)) {
    for (const n of names) add(n, name, 'jurisdiction', 0.9);
    for (const a of abbr ?? []) add(a, name, 'jurisdiction', 0.75);
  }
  for (const s of US_STATES) add(s, s.replace(/ State$/, ''), 'jurisdiction', 0.9);
  for (const c of COUNTRIES) add(c, c, 'jurisdiction', 0.9);
  for (const p of PLACES) add(p, p === 'Montréal' ? 'Montreal' : p, 'place', 0.85);
  for (const [name, spellings] of Object.entries(ORGANISATIONS)) for (const s of spellings) add(s, name, 'organisation', 0.9);
  const alternatives = [...canonical.keys()].sort((a, b) => b.length - a.length).map(escape);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  return { re, canonical };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\&]/g, (c) => (c === '&' ? '&' : '\\' + c));
}

export function extractTextEntities(text: string, options: TextEntityOptions = {}): ExtractedAtom[] {
  gazetteer ??= buildGazetteer();
  const shouting = isShouting(text);
  const abbreviations = options.abbreviations ?? !shouting;
  const out: ExtractedAtom[] = [];
  gazetteer.re.lastIndex = 0;
  for (const m of text.matchAll(gazetteer.re)) {
    const hit = gazetteer.canonical.get(m[0]);
    if (!hit) continue;
    const isAbbr = /^[A-Z.]+$/.test(m[0]) && m[0].length <= 5 && hit.kind !== 'organisation';
    if (isAbbr && !abbreviations) continue;
    if (/^\s+Day\b/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 5))) continue; // "Canada Day" is a holiday
    const kind = hit.kind;
    out.push(makeAtom(text, m.index, m.index + m[0].length, 'TextAtom', kind, { text: hit.canonical }, hit.canonical, hit.confidence));
  }
  out.push(...organisations(text, out));
  out.push(...definedTerms(text));
  out.push(...rateNames(text));
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length < 12) return false;
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  return upper / letters.length > 0.6;
}

function organisations(text: string, known: ExtractedAtom[]): ExtractedAtom[] {
  const out: ExtractedAtom[] = [];
  for (const m of [...text.matchAll(ORG_PATTERN), ...text.matchAll(ORG_OF)]) {
    let start = m.index;
    let quote = m[0];
    // Drop leading words that are not part of a name ("The", "Contact", "and").
    for (;;) {
      const first = /^(\S+) /.exec(quote);
      if (!first || !NOT_NAME.has(first[1])) break;
      start += first[0].length;
      quote = quote.slice(first[0].length);
    }
    const words = quote.split(' ');
    if (words.length < 2) continue; // a bare "Agency" or "Board" is not a name
    const end = start + quote.length;
    // Gazetteer hits win; a jurisdiction inside a longer name ("Bank of Quebec") is part of it.
    if (known.some((k) => k.kind === 'organisation' && k.start <= start && k.end >= end)) continue;
    if (out.some((k) => k.start <= start && k.end >= end)) continue;
    const canonical = quote.replace(/\s+/g, ' ');
    out.push(makeAtom(text, start, end, 'TextAtom', 'organisation', { text: canonical }, canonical, 0.7));
  }
  return out;
}

// “Effective Date”, "Confidential Information", ‘Services’: a defined term starts with a capital.
const DEFINED = /[“"‘]([\p{Lu}][^“”"‘’\n]{0,60}?)[”"’]/gu;

function definedTerms(text: string): ExtractedAtom[] {
  const out: ExtractedAtom[] = [];
  for (const m of text.matchAll(DEFINED)) {
    const term = m[1].trim();
    if (!term || term.split(/\s+/).length > 6 || /[.!?:;,]$/.test(term)) continue; // a quoted sentence, not a term
    const start = m.index + 1 + m[1].indexOf(term);
    out.push(makeAtom(text, start, start + term.length, 'TextAtom', 'defined_term', { text: term }, term, 0.85));
  }
  return out;
}

function rateNames(text: string): ExtractedAtom[] {
  const out: ExtractedAtom[] = [];
  RATE_PATTERN.lastIndex = 0;
  for (const m of text.matchAll(RATE_PATTERN)) {
    const end = m.index + m[0].length;
    // Walk back over up to three modifier words ("late payment fee", "GST/HST rate").
    let start = m.index;
    for (let i = 0; i < 3; i++) {
      const prev = /([\p{L}][\p{L}\/'’-]*)\s+$/u.exec(text.slice(Math.max(0, start - 40), start));
      if (!prev) break;
      const word = prev[1];
      const lower = word.toLowerCase();
      if (RATE_STOP.has(lower) && !(lower === 'per' && /^diem\b/i.test(text.slice(start)))) break; // "per diem rate"
      if (isPlaceName(word)) break; // "Quebec withholding rate": the place is separate
      if (/(?:ly|ed)$/.test(lower) && !ADJECTIVES.test(lower)) break;
      if (/'s$|’s$/.test(lower)) break;
      start -= prev[0].length;
    }
    if (start === m.index) continue; // a bare "rate" or "fee" names nothing in particular
    if (isWordChar(text[start - 1])) continue;
    const quote = text.slice(start, end);
    const canonical = quote.replace(/\s+/g, ' ').toLowerCase().replace(/\b(gst|hst|qst|pst|vat|cpp|qpp|ei|rrsp|tfsa)\b/g, (s) => s.toUpperCase());
    out.push(makeAtom(text, start, end, 'TextAtom', 'rate_name', { text: canonical }, canonical, 0.8));
  }
  return out;
}

function isPlaceName(word: string): boolean {
  gazetteer ??= buildGazetteer();
  return gazetteer.canonical.has(word);
}

/** Jurisdiction/place names known to the gazetteer (for names.ts and molecules.ts). */
export function isJurisdiction(atom: ExtractedAtom): boolean {
  return atom.type === 'TextAtom' && (atom.kind === 'jurisdiction' || atom.kind === 'place');
}
