import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plan, type StoredAtom } from '../../server/extraction/reconcile';
import type { ExtractedAtom } from '../../server/extraction/types';

const atom = (quote: string, start: number, name = 'Quebec withholding rate'): ExtractedAtom => ({
  type: 'NumberAtom', kind: 'percentage', start, end: start + quote.length, quote,
  value: { number: Number(quote.replace('%', '')) / 100 }, canonical: quote, unit: '%', name, confidence: 0.9,
});
const stored = (id: string, canonical: string, start: number, name = 'Quebec withholding rate'): StoredAtom => ({
  atomId: id, annotationId: `an-${id}`, type: 'NumberAtom', kind: 'percentage', name, canonical, start, version: 1,
});

describe('re-extraction plan', () => {
  it('keeps an unchanged atom even when it moved', () => {
    const result = plan({ atoms: [atom('10%', 40)], molecules: [] }, { atoms: [stored('a', '10%', 34)], molecules: [] });
    assert.deepEqual(result.atoms.map((s) => s.op), ['keep']);
    assert.deepEqual(result.removedAtoms, []);
  });

  it('a changed value of the same named atom becomes a new version', () => {
    const result = plan({ atoms: [atom('12%', 34)], molecules: [] }, { atoms: [stored('a', '10%', 34)], molecules: [] });
    assert.equal(result.atoms[0].op, 'version');
    assert.equal(result.atoms[0].op === 'version' && result.atoms[0].stored.atomId, 'a');
  });

  it('two equal values keep their own ids by position; a new one is created, a gone one removed', () => {
    const result = plan(
      { atoms: [atom('10%', 5), atom('10%', 50), atom('7%', 90, 'Ontario rate')], molecules: [] },
      { atoms: [stored('first', '10%', 5), stored('second', '10%', 48), stored('old', '3%', 70, 'Yukon rate')], molecules: [] },
    );
    assert.deepEqual(result.atoms.map((s) => (s.op === 'create' ? 'create' : `${s.op}:${s.stored.atomId}`)), ['keep:first', 'keep:second', 'create']);
    assert.deepEqual(result.removedAtoms.map((s) => s.atomId), ['old']);
  });
});
