import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBlock } from '../../server/extraction/ruleExtractor';
import { cellSpans, joinCells } from '../../server/extraction/rules/tables';

const REF = new Date('2025-06-15T12:00:00Z');

function table(cells: string[][], hasHeader: boolean, heading?: string) {
  const text = joinCells(cells);
  return { text, ...extractBlock({ id: 't', blockType: 'table', text, cells, hasHeader }, { heading }, { referenceDate: REF }) };
}

describe('table extraction', () => {
  it('computes cell offsets in the joined text', () => {
    const cells = [['a', 'bb'], ['ccc', '']];
    const text = joinCells(cells);
    assert.equal(text, 'a\tbb\nccc\t');
    assert.deepEqual(cellSpans(cells).map((s) => text.slice(s.start, s.end)), ['a', 'bb', 'ccc', '']);
  });

  it('turns each data row of a headed table into a JSONAtom covering the row', () => {
    const { text, atoms } = table(
      [
        ['Province', 'Withholding rate', 'Threshold'],
        ['Quebec', '10%', '$5,000'],
        ['Ontario', '5%', '$10,000'],
      ],
      true,
      'Withholding rates',
    );
    const rows = atoms.filter((a) => a.kind === 'table_row');
    assert.deepEqual(rows.map((r) => r.value), [
      { json: { Province: 'Quebec', 'Withholding rate': '10%', Threshold: '$5,000' } },
      { json: { Province: 'Ontario', 'Withholding rate': '5%', Threshold: '$10,000' } },
    ]);
    assert.deepEqual(rows.map((r) => r.quote), ['Quebec\t10%\t$5,000', 'Ontario\t5%\t$10,000']);
    assert.deepEqual(rows.map((r) => r.name), ['Withholding rates: Quebec', 'Withholding rates: Ontario']);
    const pct = atoms.find((a) => a.quote === '10%');
    assert.ok(pct);
    assert.equal(text.slice(pct.start, pct.end), '10%');
    assert.deepEqual(pct.value, { number: 0.1 });
    assert.equal(pct.name, 'Quebec withholding rate');
    const money = atoms.find((a) => a.quote === '$5,000');
    assert.equal(money?.unit, 'CAD'); // the table is about Canadian provinces
    assert.equal(money?.name, 'Quebec threshold');
    for (const a of atoms) assert.equal(text.slice(a.start, a.end), a.quote);
  });

  it('reads two-column tables without header as key/value, and boolean cells', () => {
    const { atoms } = table(
      [
        ['Late fee', '2%'],
        ['Auto-renewal', 'Yes'],
      ],
      false,
    );
    assert.deepEqual(atoms.filter((a) => a.kind === 'table_row').map((r) => r.value), [{ json: { 'Late fee': '2%' } }, { json: { 'Auto-renewal': 'Yes' } }]);
    const flag = atoms.find((a) => a.type === 'BooleanAtom');
    assert.deepEqual([flag?.quote, flag?.value, flag?.name], ['Yes', { boolean: true }, 'Auto-renewal']);
    assert.equal(atoms.find((a) => a.quote === '2%')?.name, 'Late fee');
  });

  it('falls back to plain text when the cells do not match the text', () => {
    const { atoms } = { atoms: extractBlock({ id: 't', blockType: 'table', text: 'Rate\t10%', cells: [['Other']] }, {}, { referenceDate: REF }).atoms };
    assert.deepEqual(atoms.map((a) => a.quote), ['10%']);
  });
});
