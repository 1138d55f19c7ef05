import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBlock } from '../../server/extraction/ruleExtractor';
import type { ExtractionContext } from '../../server/extraction/types';

const REF = new Date('2025-06-15T12:00:00Z');
const names = (text: string, context: ExtractionContext = {}) =>
  Object.fromEntries(extractBlock({ id: 'b', blockType: 'paragraph', text }, context, { referenceDate: REF }).atoms.map((a) => [a.quote, a.name]));

describe('names from context', () => {
  it('names values after the nearest rate phrase, the threshold and the jurisdiction', () => {
    assert.deepEqual(names('In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.'), {
      Quebec: 'Quebec',
      'withholding rate': 'Withholding rate',
      '10%': 'Quebec withholding rate',
      '$5,000': 'Quebec withholding threshold',
      'January 1, 2026': 'Effective date',
    });
  });

  it('names durations by what they measure and dates by their keyword', () => {
    assert.deepEqual(names('Full-time employees receive 15 days of paid vacation per year.'), { '15 days': 'Vacation days' });
    assert.deepEqual(names('The probation period is 90 days.'), { '90 days': 'Probation period' });
    assert.deepEqual(names('Tax returns for individuals are due April 30, 2026.'), { 'April 30, 2026': 'Due date' });
    assert.deepEqual(names('Expense claims must be submitted within 30 days.'), { 'within 30 days': 'Submission deadline' });
    assert.deepEqual(names('A $25 late fee applies.'), { '$25': 'Late fee', 'late fee': 'Late fee' });
  });

  it('falls back to the heading, then the document title, with lower confidence', () => {
    const withHeading = extractBlock({ id: 'b', blockType: 'paragraph', text: 'It is 10%.' }, { heading: 'Withholding', documentTitle: 'Payroll' }, { referenceDate: REF });
    assert.equal(withHeading.atoms[0].name, 'Withholding rate');
    assert.ok(withHeading.atoms[0].confidence < 0.95);
    const withTitle = extractBlock({ id: 'b', blockType: 'paragraph', text: 'It is 10%.' }, { documentTitle: 'Payroll' }, { referenceDate: REF });
    assert.equal(withTitle.atoms[0].name, 'Payroll rate');
    const bare = extractBlock({ id: 'b', blockType: 'paragraph', text: 'It is 10%.' }, {}, { referenceDate: REF });
    assert.equal(bare.atoms[0].name, 'Rate');
  });

  it('gives every atom and molecule a name and a confidence in (0, 1]', () => {
    const { atoms, molecules } = extractBlock(
      { id: 'b', blockType: 'paragraph', text: 'If an invoice is unpaid, a late fee of 2% applies, unless the client disputes it. Smoking is prohibited.' },
      { heading: 'Billing' },
      { referenceDate: REF },
    );
    for (const x of [...atoms, ...molecules]) {
      assert.ok(x.name.length > 0, JSON.stringify(x));
      assert.ok(x.confidence > 0 && x.confidence <= 1);
    }
  });
});
