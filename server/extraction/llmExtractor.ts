/**
 * An extractor backed by an OpenAI-compatible chat completions endpoint. The model is asked for
 * JSON spans; the answer is validated with zod and every span is re-anchored on the block text
 * (a span whose quote is not in the text is dropped), so the model never decides offsets.
 * Any failure — network, HTTP status, timeout, malformed or invalid JSON — falls back to the rule
 * extractor. Off by default: choose.ts enables it when EXTRACTOR_LLM_URL is set.
 */
import { z } from 'zod';
import { ruleExtractor } from './ruleExtractor';
import {
  ATOM_TYPES,
  MOLECULE_TYPES,
  type AtomValue,
  type BlockInput,
  type ExtractedAtom,
  type ExtractedMolecule,
  type Extraction,
  type ExtractionContext,
  type Extractor,
} from './types';

export interface LlmOptions {
  /** Per request; the block falls back to the rules after this. */
  timeoutMs?: number;
  fallback?: Extractor;
  /** Blocks longer than this are not sent (cost and context window); the rules take them. */
  maxChars?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_CHARS = 20_000;

const SYSTEM_PROMPT = `You extract knowledge from one block of a policy document (tax, compliance, billing, HR).
Answer with one JSON object and nothing else:
{"atoms":[{"type":"TextAtom|NumberAtom|BooleanAtom|DateAtom|JSONAtom","kind":"percentage|currency|quantity|amount|range|date|relative_date|jurisdiction|organisation|defined_term|rate_name|boolean|table_row","quote":"exact text copied from the block","start":0,"value":<number|string|boolean|object>,"canonical":"10%","unit":"%","name":"Quebec withholding rate","confidence":0.9}],
 "molecules":[{"type":"ConditionMolecule|ConstraintMolecule|ExceptionMolecule|RequiresMolecule","quote":"the sentence the rule is read from, copied exactly","start":0,"name":"...","enforcement":"block|warn|inform","confidence":0.8,"atoms":[{"atom":<index into atoms>,"role":"subject|condition|result|constraint","order":0}],"configuration":{"ruleType":"if_then|constraint|exception|requires","condition":"...","result":"..."}}]}
Rules: quotes must be copied character for character from the block; start is the UTF-16 offset of the quote.
Percentages are fractions (10% -> 0.1). Dates are ISO 8601. Currency units are ISO codes. Return {"atoms":[],"molecules":[]} when there is nothing.`;

const Value = z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()]);

const AtomSpan = z.object({
  type: z.enum(ATOM_TYPES),
  kind: z.string().min(1).max(64).optional(),
  quote: z.string().min(1).max(10_000),
  start: z.number().int().nonnegative().optional(),
  value: Value.optional(),
  canonical: z.string().max(1000).optional(),
  unit: z.string().max(32).nullable().optional(),
  name: z.string().max(1000).optional(),
  confidence: z.number().min(0).max(1).optional(),
});

const MoleculeSpan = z.object({
  type: z.enum(MOLECULE_TYPES),
  quote: z.string().min(1).max(20_000),
  start: z.number().int().nonnegative().optional(),
  name: z.string().max(1000).optional(),
  confidence: z.number().min(0).max(1).optional(),
  enforcement: z.enum(['block', 'warn', 'inform']).optional(),
  atoms: z
    .array(
      z.object({
        atom: z.number().int().nonnegative(),
        role: z.enum(['subject', 'condition', 'result', 'constraint']),
        order: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  configuration: z.object({ ruleType: z.string().min(1) }).catchall(z.unknown()).optional(),
});

const Answer = z.object({
  atoms: z.array(AtomSpan).default([]),
  molecules: z.array(MoleculeSpan).default([]),
});

const Completion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

export function llmExtractor(url: string, model = 'gpt-4o-mini', apiKey?: string, options: LlmOptions = {}): Extractor {
  const endpoint = /\/chat\/completions\/?$/.test(url) ? url : `${url.replace(/\/+$/, '')}${/\/v1$/.test(url.replace(/\/+$/, '')) ? '' : '/v1'}/chat/completions`;
  const fallback = options.fallback ?? ruleExtractor;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  return {
    name: `llm:${model}`,
    async extract(block, context) {
      if (!block.text.trim()) return { atoms: [], molecules: [] };
      if (block.text.length > maxChars) return fallback.extract(block, context);
      try {
        const content = await complete(endpoint, model, apiKey, block, context, timeoutMs);
        return anchor(block.text, parseAnswer(content));
      } catch {
        // Network error, timeout, bad status or an answer that is not the JSON we asked for.
        return fallback.extract(block, context);
      }
    },
  };
}

async function complete(
  endpoint: string,
  model: string,
  apiKey: string | undefined,
  block: BlockInput,
  context: ExtractionContext,
  timeoutMs: number,
): Promise<string> {
  const user = JSON.stringify({
    blockType: block.blockType,
    heading: context.heading,
    documentTitle: context.documentTitle,
    text: block.text,
    ...(block.cells ? { cells: block.cells, hasHeader: block.hasHeader ?? false } : {}),
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify({
      model,
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: user },
      ],
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`LLM endpoint answered ${response.status}`);
  const body = Completion.parse(await response.json());
  return body.choices[0].message.content;
}

/** The model's JSON, tolerating a Markdown code fence around it. Throws when malformed. */
export function parseAnswer(content: string): z.infer<typeof Answer> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(content);
  return Answer.parse(JSON.parse(fenced ? fenced[1] : content));
}

/**
 * Re-anchors spans on the text: the model's offset is kept only when the quote is really there;
 * otherwise the occurrence nearest to it (or the first unused one) is taken; a quote that does not
 * occur is dropped, and so are molecule links to dropped atoms.
 */
export function anchor(text: string, answer: z.infer<typeof Answer>): Extraction {
  const used = new Set<string>();
  const kept: { atom: ExtractedAtom; from: number }[] = [];
  answer.atoms.forEach((span, from) => {
    const start = locate(text, span.quote, span.start, used);
    if (start < 0) return;
    const value = valueOf(span.type, span.value);
    if (!value) return;
    used.add(`${start}:${span.quote}`);
    const atom: ExtractedAtom = {
      type: span.type,
      kind: span.kind ?? defaultKind(span.type),
      start,
      end: start + span.quote.length,
      quote: span.quote,
      value,
      canonical: span.canonical ?? String(span.value ?? span.quote),
      name: (span.name ?? '').slice(0, 255) || span.quote.slice(0, 255),
      confidence: confidenceOf(span.confidence),
    };
    if (span.unit) atom.unit = span.unit;
    kept.push({ atom, from });
  });
  kept.sort((a, b) => a.atom.start - b.atom.start || b.atom.end - a.atom.end);
  const index = new Map(kept.map((k, i) => [k.from, i]));
  const atoms = kept.map((k) => k.atom);

  const molecules: ExtractedMolecule[] = [];
  const usedMolecules = new Set<string>();
  for (const span of answer.molecules) {
    const start = locate(text, span.quote, span.start, usedMolecules);
    if (start < 0) continue;
    usedMolecules.add(`${start}:${span.quote}`);
    const refs = (span.atoms ?? [])
      .filter((r) => index.has(r.atom))
      .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
      .map((r, order) => ({ atom: index.get(r.atom) as number, role: r.role, order }));
    molecules.push({
      type: span.type,
      start,
      end: start + span.quote.length,
      quote: span.quote,
      name: (span.name ?? '').slice(0, 255) || span.type.replace('Molecule', ' rule'),
      confidence: confidenceOf(span.confidence),
      enforcement: span.enforcement ?? 'inform',
      atoms: refs,
      configuration: span.configuration ?? { ruleType: defaultRuleType(span.type) },
    });
  }
  return { atoms, molecules };
}

function locate(text: string, quote: string, hint: number | undefined, used: Set<string>): number {
  if (hint !== undefined && text.startsWith(quote, hint)) return hint;
  let best = -1;
  for (let at = text.indexOf(quote); at >= 0; at = text.indexOf(quote, at + 1)) {
    if (hint === undefined) {
      if (!used.has(`${at}:${quote}`)) return at;
      if (best < 0) best = at;
    } else if (best < 0 || Math.abs(at - hint) < Math.abs(best - hint)) {
      best = at;
    }
  }
  return best;
}

function valueOf(type: ExtractedAtom['type'], raw: unknown): AtomValue | null {
  // Accept both the bare value and the wrapped form ({ number: 0.1 }).
  let v = raw;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const key = { NumberAtom: 'number', BooleanAtom: 'boolean', DateAtom: 'date', TextAtom: 'text', JSONAtom: 'json' }[type];
    if (keys.length === 1 && keys[0] === key) v = (v as Record<string, unknown>)[key];
  }
  switch (type) {
    case 'NumberAtom': {
      const n = typeof v === 'string' ? Number(v.replace(/[,\s]/g, '')) : v;
      return typeof n === 'number' && Number.isFinite(n) ? { number: n } : null;
    }
    case 'BooleanAtom':
      return typeof v === 'boolean' ? { boolean: v } : null;
    case 'DateAtom':
      return typeof v === 'string' && /^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$/.test(v)
        ? { date: v }
        : null;
    case 'TextAtom':
      return typeof v === 'string' && v ? { text: v } : null;
    case 'JSONAtom':
      return v === undefined ? null : { json: v };
  }
}

function confidenceOf(c: number | undefined): number {
  return c === undefined || c <= 0 ? 0.5 : Math.min(1, c);
}

function defaultKind(type: ExtractedAtom['type']): string {
  return { TextAtom: 'text', NumberAtom: 'amount', BooleanAtom: 'boolean', DateAtom: 'date', JSONAtom: 'json' }[type];
}

function defaultRuleType(type: ExtractedMolecule['type']): string {
  return { ConditionMolecule: 'if_then', ConstraintMolecule: 'constraint', ExceptionMolecule: 'exception', RequiresMolecule: 'requires' }[type];
}
