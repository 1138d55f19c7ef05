import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractTextEntities } from '../../server/extraction/rules/text';

const brief = (text: string) => extractTextEntities(text).map((a) => [a.kind, a.quote, (a.value as { text: string }).text]);

describe('extractTextEntities', () => {
  it('finds jurisdictions by name and abbreviation', () => {
    assert.deepEqual(brief('In Québec (QC), Ontario, British Columbia, New York and the EU.'), [
      ['jurisdiction', 'Québec', 'Quebec'],
      ['jurisdiction', 'QC', 'Quebec'],
      ['jurisdiction', 'Ontario', 'Ontario'],
      ['jurisdiction', 'British Columbia', 'British Columbia'],
      ['jurisdiction', 'New York', 'New York'],
      ['jurisdiction', 'EU', 'European Union'],
    ]);
  });

  it('does not read abbreviations in all-caps text, or holidays, as places', () => {
    assert.deepEqual(brief('SHIPPING ON MONDAY IS FREE FOR US CUSTOMERS.'), []);
    assert.deepEqual(brief('We close on Canada Day.'), []);
  });

  it('finds organisations from the gazetteer and by their suffix', () => {
    assert.deepEqual(brief('The Canada Revenue Agency (CRA), Acme Widgets Inc. and the Ministry of Finance.'), [
      ['organisation', 'Canada Revenue Agency', 'Canada Revenue Agency'],
      ['organisation', 'CRA', 'Canada Revenue Agency'],
      ['organisation', 'Acme Widgets Inc.', 'Acme Widgets Inc.'],
      ['organisation', 'Ministry of Finance', 'Ministry of Finance'],
    ]);
    assert.deepEqual(brief('The Board of Directors meets. Contact Northwind Traders Ltd. now.'), [
      ['organisation', 'Northwind Traders Ltd.', 'Northwind Traders Ltd.'],
    ]);
  });

  it('finds defined terms in quotes, without the quote marks', () => {
    assert.deepEqual(brief('This Agreement (the “Effective Date”) and "Confidential Information".'), [
      ['defined_term', 'Effective Date', 'Effective Date'],
      ['defined_term', 'Confidential Information', 'Confidential Information'],
    ]);
    assert.deepEqual(brief('She said "hello there, friend."'), []);
  });

  it('finds names of rates, thresholds and fees with their modifiers', () => {
    assert.deepEqual(brief('The Quebec withholding rate, a $25 late payment fee, the minimum threshold and our monthly fees.'), [
      ['jurisdiction', 'Quebec', 'Quebec'],
      ['rate_name', 'withholding rate', 'withholding rate'],
      ['rate_name', 'late payment fee', 'late payment fee'],
      ['rate_name', 'minimum threshold', 'minimum threshold'],
      ['rate_name', 'monthly fees', 'monthly fees'],
    ]);
    assert.deepEqual(brief('The GST/HST rate and per diem rates.').map((b) => b[2]), ['GST/HST rate', 'per diem rates']);
    assert.deepEqual(brief('The rate is fixed and the fee is waived.'), []);
  });
});
