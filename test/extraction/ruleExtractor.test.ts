import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBlock, resolveOverlaps, ruleExtractor } from '../../server/extraction/ruleExtractor';
import { makeAtom } from '../../server/extraction/rules/common';

const REF = new Date('2025-06-15T12:00:00Z');

describe('ruleExtractor', () => {
  it('is an Extractor named "rules"', async () => {
    assert.equal(ruleExtractor.name, 'rules');
    const result = await ruleExtractor.extract({ id: 'b', blockType: 'paragraph', text: 'The GST rate is 5%.' }, {});
    assert.deepEqual(result.atoms.map((a) => a.quote), ['GST rate', '5%']);
    assert.deepEqual(result.molecules, []);
  });

  it('keeps one atom per stretch of text: ranges over their ends, dates over their digits', () => {
    const text = 'Discounts between 5% and 10% apply from January 1, 2026 within 30 days.';
    const { atoms } = extractBlock({ id: 'b', blockType: 'paragraph', text }, {}, { referenceDate: REF });
    assert.deepEqual(atoms.map((a) => [a.type, a.quote]), [
      ['JSONAtom', 'between 5% and 10%'],
      ['DateAtom', 'January 1, 2026'],
      ['DateAtom', 'within 30 days'],
    ]);
    for (let i = 1; i < atoms.length; i++) assert.ok(atoms[i - 1].end <= atoms[i].start, 'no overlaps');
  });

  it('resolves overlaps by priority, then length', () => {
    const text = 'abcdefghij';
    const kept = resolveOverlaps([
      makeAtom(text, 0, 4, 'NumberAtom', 'amount', { number: 1 }, '1', 0.7),
      makeAtom(text, 2, 8, 'DateAtom', 'date', { date: '2026-01-01' }, '2026-01-01', 0.9),
      makeAtom(text, 8, 10, 'TextAtom', 'rate_name', { text: 'ij' }, 'ij', 0.8),
      makeAtom(text, 6, 10, 'JSONAtom', 'range', { json: {} }, 'r', 0.9),
    ]);
    assert.deepEqual(kept.map((a) => a.quote).sort(), ['ghij', 'abcd'].sort());
  });

  it('sorts atoms by start and returns molecules whose links are valid', () => {
    const text = 'Unless agreed otherwise, invoices over $500 must be paid within 30 days. In Ontario, the fee is 2%.';
    const { atoms, molecules } = extractBlock({ id: 'b', blockType: 'paragraph', text }, {}, { referenceDate: REF });
    assert.deepEqual(atoms.map((a) => a.start), [...atoms.map((a) => a.start)].sort((x, y) => x - y));
    assert.ok(molecules.length >= 3);
    for (const m of molecules) {
      assert.equal(text.slice(m.start, m.end), m.quote);
      for (const ref of m.atoms) assert.ok(atoms[ref.atom]);
    }
  });

  it('skips blocks that hold no prose', () => {
    for (const blockType of ['code', 'divider', 'image', 'file'] as const) {
      assert.deepEqual(extractBlock({ id: 'b', blockType, text: 'rate = 10%' }, {}, { referenceDate: REF }), { atoms: [], molecules: [] });
    }
    assert.deepEqual(extractBlock({ id: 'b', blockType: 'paragraph', text: '' }, {}, { referenceDate: REF }), { atoms: [], molecules: [] });
  });

  it('is deterministic for a given reference date', () => {
    const block = { id: 'b', blockType: 'paragraph' as const, text: 'Reply by next Monday or within 10 days; the late fee is 2%.' };
    assert.deepEqual(extractBlock(block, {}, { referenceDate: REF }), extractBlock(block, {}, { referenceDate: new Date(REF) }));
  });
});
