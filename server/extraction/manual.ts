/**
 * "Mark as atom": a person selects text and names it. The atom is stored with source 'manual'
 * and confidence 1.0, its annotation with quote, prefix and suffix so it can be re-anchored
 * when others edit around it (store.ts reanchorManual).
 */
import * as chrono from 'chrono-node';
import type { Sql } from '../db/client';
import { recordChange } from '../db/repos/graphOutbox';
import { selectorAt } from './anchor';
import type { AtomType, AtomValue } from './types';

export class ManualValueError extends Error {}

const TRUE_WORDS = new Set(['yes', 'true', 'required', 'enabled', 'mandatory', 'on', 'allowed', 'y']);
const FALSE_WORDS = new Set(['no', 'false', 'optional', 'disabled', 'not required', 'off', 'prohibited', 'n']);

/** The typed value of the selected text, or a ManualValueError saying why it is not one. */
export function manualValue(type: AtomType, quote: string): { value: AtomValue; canonical: string; unit: string | null } {
  const text = quote.trim();
  switch (type) {
    case 'NumberAtom': {
      const match = /^([$€£]|C\$|CA\$)?\s*(-?[\d,\s]*\.?\d+)\s*(%|[A-Z]{3})?$/.exec(text);
      if (!match) throw new ManualValueError(`“${text}” is not a number.`);
      const number = Number(match[2].replace(/[,\s]/g, ''));
      if (!Number.isFinite(number)) throw new ManualValueError(`“${text}” is not a number.`);
      if (match[3] === '%') return { value: { number: number / 100 }, canonical: `${number}%`, unit: '%' };
      const unit = match[3] ?? (match[1] === '€' ? 'EUR' : match[1] === '£' ? 'GBP' : match[1]?.startsWith('C') ? 'CAD' : match[1] ? 'USD' : null);
      return { value: { number }, canonical: unit ? `${number.toLocaleString('en-US')} ${unit}` : String(number), unit };
    }
    case 'BooleanAtom': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: { boolean: true }, canonical: 'true', unit: null };
      if (FALSE_WORDS.has(word)) return { value: { boolean: false }, canonical: 'false', unit: null };
      throw new ManualValueError(`“${text}” is not yes/no, true/false, required/optional or enabled/disabled.`);
    }
    case 'DateAtom': {
      const date = chrono.parseDate(text, new Date(Date.UTC(2000, 0, 1)));
      if (!date) throw new ManualValueError(`“${text}” is not a date.`);
      const iso = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate())).toISOString().slice(0, 10);
      return { value: { date: iso }, canonical: iso, unit: null };
    }
    case 'JSONAtom': {
      try {
        const json: unknown = JSON.parse(text);
        return { value: { json }, canonical: JSON.stringify(json), unit: null };
      } catch {
        return { value: { json: { text } }, canonical: text, unit: null };
      }
    }
    default:
      return { value: { text }, canonical: text, unit: null };
  }
}

export interface ManualAtomInput {
  tenantId: string;
  documentId: string;
  blockId: string;
  domainId: string | null;
  userId: string | null;
  blockText: string;
  start: number;
  end: number;
  type: AtomType;
  name: string;
}

export async function createManualAtom(db: Sql, input: ManualAtomInput): Promise<{ atomId: string; annotationId: string }> {
  const selector = selectorAt(input.blockText, input.start, input.end);
  const { value, canonical, unit } = manualValue(input.type, selector.quote);
  const column = Object.keys(value)[0] as 'text' | 'number' | 'boolean' | 'date' | 'json';
  const values = { text: null, number: null, boolean: null, date: null, json: null } as Record<string, unknown>;
  values[column] = column === 'json' ? JSON.stringify((value as { json: unknown }).json) : (value as Record<string, unknown>)[column];
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO atoms (tenant_id, domain_id, atom_type, kind, text_value, number_value, boolean_value, date_value, json_value,
                        canonical, unit, name, confidence, source)
     VALUES ($1, $2, $3, 'manual', $4, $5, $6, $7, $8::jsonb, $9, $10, $11, 1.0, 'manual') RETURNING id`,
    [input.tenantId, input.domainId, input.type, values.text, values.number, values.boolean, values.date, values.json, canonical, unit, input.name],
  );
  const atomId = rows[0].id;
  const { rows: annotations } = await db.query<{ id: string }>(
    `INSERT INTO annotations (tenant_id, document_id, block_id, start_offset, end_offset, quote, prefix, suffix,
                              knowledge_type, knowledge_id, layer, confidence, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'atom', $9, 'atom', 1.0, 'manual') RETURNING id`,
    [input.tenantId, input.documentId, input.blockId, input.start, input.end, selector.quote, selector.prefix, selector.suffix, atomId],
  );
  await db.query(
    `INSERT INTO knowledge_events (tenant_id, event_type, aggregate_type, aggregate_id, event_data, user_id)
     VALUES ($1, 'AtomCreated', 'atom', $2, $3, $4)`,
    [input.tenantId, atomId, JSON.stringify({ type: input.type, canonical, name: input.name, source: 'manual', blockId: input.blockId, documentId: input.documentId }), input.userId],
  );
  await recordChange(db, input.tenantId, 'atom', [atomId]);
  return { atomId, annotationId: annotations[0].id };
}
