import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBooleans } from '../../server/extraction/rules/booleans';

const brief = (text: string) => extractBooleans(text).map((a) => [a.quote, (a.value as { boolean: boolean }).boolean, a.name]);

describe('extractBooleans', () => {
  it('reads "<subject> is required/optional/…" with the subject as name', () => {
    assert.deepEqual(brief('Field X is required.'), [['required', true, 'Field X required']]);
    assert.deepEqual(brief('The cover letter is optional, but the resume is mandatory.'), [
      ['optional', false, 'Cover letter required'],
      ['mandatory', true, 'Resume required'],
    ]);
    assert.deepEqual(brief('Two-factor authentication must be enabled for admins.'), [['enabled', true, 'Two-factor authentication enabled']]);
    assert.deepEqual(brief('Smoking is strictly prohibited.'), [['prohibited', false, 'Smoking allowed']]);
    assert.deepEqual(brief('A manager approval is not required for small expenses.'), [['not required', false, 'Manager approval required']]);
    assert.deepEqual(brief('No deduction is allowed for entertainment.'), [['allowed', false, 'Deduction allowed']]);
  });

  it('reads "Label: value" lines', () => {
    assert.deepEqual(brief('Auto-renewal: enabled'), [['enabled', true, 'Auto-renewal enabled']]);
    assert.deepEqual(brief('Paper invoices: disabled'), [['disabled', false, 'Paper invoices enabled']]);
    assert.deepEqual(brief('Receipt required: Yes'), [['Yes', true, 'Receipt required']]);
  });

  it('does not read obligations or stray words as booleans', () => {
    assert.deepEqual(brief('Employees are required to file timesheets weekly.'), []);
    assert.deepEqual(brief('Contractors are not permitted to access payroll data.'), []);
    assert.deepEqual(brief('The required forms are attached.'), []);
    assert.deepEqual(brief('Yes, we can.'), []);
  });

  it('keeps quotes equal to the text they cover', () => {
    const text = 'If remote work is allowed, the form is not required.';
    for (const a of extractBooleans(text)) assert.equal(text.slice(a.start, a.end), a.quote);
  });
});
