import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractDates } from '../../server/extraction/rules/dates';

const REF = new Date('2025-06-15T12:00:00Z'); // a Sunday
const brief = (text: string, ref = REF) =>
  extractDates(text, ref).map((a) => [a.type, a.kind, a.quote, 'date' in a.value ? a.value.date : (a.value as { json: unknown }).json]);

describe('extractDates', () => {
  it('reads absolute dates in the usual forms', () => {
    assert.deepEqual(brief('Effective January 1, 2026, filed on 2026-01-01, reviewed 1 Jan 2026 and Dec. 31, 2025.'), [
      ['DateAtom', 'date', 'January 1, 2026', '2026-01-01'],
      ['DateAtom', 'date', '2026-01-01', '2026-01-01'],
      ['DateAtom', 'date', '1 Jan 2026', '2026-01-01'],
      ['DateAtom', 'date', 'Dec. 31, 2025', '2025-12-31'],
    ]);
  });

  it('reads month-year, years in context, and date-times', () => {
    assert.deepEqual(brief('Starting March 2026, for the 2025 tax year, due April 30, 2026 at 5 pm.'), [
      ['DateAtom', 'date', 'March 2026', '2026-03'],
      ['DateAtom', 'year', '2025', '2025'],
      ['DateAtom', 'date', 'April 30, 2026 at 5 pm', '2026-04-30T17:00:00Z'],
    ]);
  });

  it('resolves relative dates against the reference date, deterministically', () => {
    assert.deepEqual(brief('Pay within 30 days, reply by next Monday, or tomorrow, within 5 business days.'), [
      ['DateAtom', 'relative_date', 'within 30 days', '2025-07-15'],
      ['DateAtom', 'relative_date', 'next Monday', '2025-06-16'],
      ['DateAtom', 'relative_date', 'tomorrow', '2025-06-16'],
      ['DateAtom', 'relative_date', 'within 5 business days', '2025-06-20'],
    ]);
    const later = new Date('2026-01-01T00:00:00Z');
    assert.deepEqual(brief('within 30 days', later), [['DateAtom', 'relative_date', 'within 30 days', '2026-01-31']]);
  });

  it('reads date ranges as one JSONAtom', () => {
    assert.deepEqual(brief('The period runs from January 1 to March 31, 2026.'), [
      ['JSONAtom', 'date_range', 'January 1 to March 31, 2026', { start: '2026-01-01', end: '2026-03-31' }],
    ]);
  });

  it('leaves durations, times of day and look-alikes alone', () => {
    for (const text of [
      'Invoices are due 30 days after the invoice date.',
      'Backups are retained for 90 days.',
      'After 5 years of service, employees get more.',
      'The fee is 5 to 10 dollars.',
      'Meet at 10:30.',
      '3/4 of staff agreed.',
      'The Sun Life plan.',
      'Employees may take leave.',
      'Now is the time.',
      'any day other than a Saturday, Sunday or holiday',
      'Section 2026 of the code.',
    ]) {
      assert.deepEqual(brief(text), [], text);
    }
  });

  it('keeps quotes equal to the text they cover', () => {
    const text = 'On 1 Jan 2026, then next Friday, and in 2027.';
    for (const a of extractDates(text, REF)) assert.equal(text.slice(a.start, a.end), a.quote);
  });
});
