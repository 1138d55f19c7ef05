import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dollarCurrency, extractNumbers } from '../../server/extraction/rules/numbers';
import type { ExtractedAtom } from '../../server/extraction/types';

const brief = (atoms: ExtractedAtom[]) => atoms.map((a) => [a.type, a.kind, a.quote, 'number' in a.value ? a.value.number : (a.value as { json: unknown }).json, a.unit ?? null]);

describe('extractNumbers', () => {
  it('reads integers, decimals, thousands separators and percentages', () => {
    assert.deepEqual(brief(extractNumbers('Up to 12 units, 3.5 hours, 1,250,000 total and 10% or 7.5 per cent.')), [
      ['NumberAtom', 'amount', '12', 12, null],
      ['NumberAtom', 'quantity', '3.5 hours', 3.5, 'hours'],
      ['NumberAtom', 'amount', '1,250,000', 1250000, null],
      ['NumberAtom', 'percentage', '10%', 0.1, '%'],
      ['NumberAtom', 'percentage', '7.5 per cent', 0.075, '%'],
    ]);
    const [pct] = extractNumbers('The rate is 10%.');
    assert.equal(pct.canonical, '10%');
  });

  it('reads currency amounts with the unit as written', () => {
    const atoms = extractNumbers('Pay $5,000, 5,000 CAD, €1,200, £60, C$300, US$75, $1.5 million and $2M.');
    assert.deepEqual(brief(atoms), [
      ['NumberAtom', 'currency', '$5,000', 5000, 'USD'],
      ['NumberAtom', 'currency', '5,000 CAD', 5000, 'CAD'],
      ['NumberAtom', 'currency', '€1,200', 1200, 'EUR'],
      ['NumberAtom', 'currency', '£60', 60, 'GBP'],
      ['NumberAtom', 'currency', 'C$300', 300, 'CAD'],
      ['NumberAtom', 'currency', 'US$75', 75, 'USD'],
      ['NumberAtom', 'currency', '$1.5 million', 1500000, 'USD'],
      ['NumberAtom', 'currency', '$2M', 2000000, 'USD'],
    ]);
    assert.equal(atoms[0].canonical, '$5,000 USD');
    assert.equal(atoms[2].canonical, '€1,200 EUR');
  });

  it('makes "$" Canadian when the text or its context is', () => {
    assert.equal(dollarCurrency('In Quebec, amounts over $5,000'), 'CAD');
    assert.equal(dollarCurrency('Amounts over $5,000', undefined, 'Canadian payroll guide'), 'CAD');
    assert.equal(dollarCurrency('Amounts over $5,000 in Texas'), 'USD');
    const [atom] = extractNumbers('over $5,000', { dollar: 'CAD' });
    assert.equal(atom.unit, 'CAD');
    assert.equal(atom.canonical, '$5,000 CAD');
  });

  it('reads space-separated thousands next to a currency, and with no-break spaces', () => {
    assert.deepEqual(brief(extractNumbers('Budget: 1 000 000 $ and 2\u00a0500 units.')), [
      ['NumberAtom', 'currency', '1 000 000 $', 1000000, 'USD'],
      ['NumberAtom', 'amount', '2\u00a0500', 2500, null],
    ]);
    // Plain spaces elsewhere are two numbers' business, not one.
    assert.deepEqual(brief(extractNumbers('in 2025 100 employees')), [['NumberAtom', 'amount', '100', 100, null]]);
  });

  it('turns ranges into one JSONAtom, not two numbers', () => {
    assert.deepEqual(brief(extractNumbers('between 5% and 10%; 5–10%; from $1,000 to $2,000; 18-65 years; 5 to 10 days')), [
      ['JSONAtom', 'range', 'between 5% and 10%', { min: 0.05, max: 0.1, unit: '%' }, '%'],
      ['JSONAtom', 'range', '5–10%', { min: 0.05, max: 0.1, unit: '%' }, '%'],
      ['JSONAtom', 'range', 'from $1,000 to $2,000', { min: 1000, max: 2000, unit: 'USD' }, 'USD'],
      ['JSONAtom', 'range', '18-65 years', { min: 18, max: 65, unit: 'years' }, 'years'],
      ['JSONAtom', 'range', '5 to 10 days', { min: 5, max: 10, unit: 'days' }, 'days'],
    ]);
  });

  it('reads a change "from 5% to 7%" as two numbers', () => {
    assert.deepEqual(brief(extractNumbers('The rate increased from 5% to 7%.')).map((b) => b[2]), ['5%', '7%']);
  });

  it('skips references, identifiers, dates, times, ordinals and list markers', () => {
    for (const text of [
      'Section 3 describes s. 153(1)(a) and paragraphs 4 and 5.',
      'See Form 1040, line 10100, item 7.',
      'Call 1-800-555-1234 about invoice T2200 or FY2025.',
      'Filed 2026-01-01 and 15/03/2026, 3/4 of staff.',
      'Meet at 10:30 or 5pm on the 1st and 2nd floor.',
      'Version 1.2.3 is out.',
      '1. Scope',
      'Read the 5 Whys.',
      'In 2026 the policy changes.',
    ]) {
      assert.deepEqual(extractNumbers(text), [], text);
    }
  });

  it('ignores digit runs longer than 40 digits', () => {
    assert.deepEqual(extractNumbers('1'.repeat(41) + ' and 7%').map((a) => a.quote), ['7%']);
  });

  it('keeps quotes equal to the text they cover', () => {
    const text = 'Fees: -5% change, (30) days, $25.50/month, 12-month term, 60 days’ notice.';
    for (const a of extractNumbers(text)) assert.equal(text.slice(a.start, a.end), a.quote);
  });
});
