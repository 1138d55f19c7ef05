import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBlock } from '../../server/extraction/ruleExtractor';

const REF = new Date('2025-06-15T12:00:00Z');
const run = (text: string) => extractBlock({ id: 'b', blockType: 'paragraph', text }, {}, { referenceDate: REF });

describe('molecules', () => {
  it('reads the Quebec withholding rule as a condition with structured parts and roles', () => {
    const text = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';
    const { atoms, molecules } = run(text);
    assert.equal(molecules.length, 1);
    const [m] = molecules;
    assert.equal(m.type, 'ConditionMolecule');
    assert.equal(m.enforcement, 'inform');
    assert.equal(m.quote, text);
    assert.equal(m.name, 'Quebec withholding rate condition');
    assert.deepEqual(m.configuration, {
      ruleType: 'if_then',
      condition: 'jurisdiction is Quebec and amount over $5,000',
      result: 'withholding rate is 10%',
      conditions: [
        { field: 'jurisdiction', op: '=', value: 'Quebec' },
        { field: 'amount', op: '>', value: 5000 },
      ],
      results: [{ field: 'withholding rate', op: '=', value: 0.1 }],
      effective: '2026-01-01',
    });
    const roles = m.atoms.map((r) => [atoms[r.atom].quote, r.role, r.order]);
    assert.deepEqual(roles, [
      ['Quebec', 'condition', 0],
      ['withholding rate', 'subject', 1],
      ['10%', 'result', 2],
      ['$5,000', 'condition', 3],
      ['January 1, 2026', 'condition', 4],
    ]);
  });

  it('reads if/then with an exception from one sentence', () => {
    const { molecules } = run('If an invoice is unpaid after 30 days, a late fee of 2% applies, unless the client disputes the charge.');
    assert.deepEqual(molecules.map((m) => m.type), ['ConditionMolecule', 'ExceptionMolecule']);
    const [condition, exception] = molecules;
    assert.equal(condition.configuration.condition, 'an invoice is unpaid after 30 days');
    assert.equal(condition.configuration.result, 'late fee is 2%');
    assert.equal(exception.configuration.exception, 'the client disputes the charge');
    assert.equal(exception.configuration.trigger, 'unless');
  });

  it('reads constraints with their enforcement level', () => {
    const enforcement = (text: string) => run(text).molecules.filter((m) => m.type === 'ConstraintMolecule').map((m) => m.enforcement);
    assert.deepEqual(enforcement('Expense claims must be submitted within 30 days.'), ['block']);
    assert.deepEqual(enforcement('Employees shall not share passwords.'), ['block']);
    assert.deepEqual(enforcement('Visitors cannot enter the lab.'), ['block']);
    assert.deepEqual(enforcement('Smoking is prohibited.'), ['block']);
    assert.deepEqual(enforcement('Reviews should happen twice a year.'), ['warn']);
    assert.deepEqual(enforcement('Two approvers are recommended.'), ['warn']);
    assert.deepEqual(enforcement('Claims are limited to 50% of the amount paid.'), ['inform']);
    assert.deepEqual(enforcement('Bereavement leave of up to 5 days is available.'), ['inform']);
    assert.deepEqual(enforcement('Meals are reimbursed.'), []);
  });

  it('records bounds of a constraint', () => {
    const [m] = run('Passwords must be at least 12 characters long.').molecules;
    assert.equal(m.type, 'ConstraintMolecule');
    const bounds = m.configuration.bounds as { op: string; value: number }[];
    assert.deepEqual(bounds.map((x) => [x.op, x.value]), [['>=', 12]]);
    assert.equal(m.configuration.modality, 'must');
    assert.equal(m.configuration.subject, 'Passwords');
  });

  it('reads requirements and exemptions', () => {
    const a = run('Expenses over $500 require prior approval from a manager.').molecules;
    assert.deepEqual(a.map((m) => m.type), ['ConditionMolecule', 'RequiresMolecule']);
    assert.equal(a[1].configuration.requirement, 'prior approval from a manager');
    assert.deepEqual(a[0].configuration.conditions, [{ field: 'expense', op: '>', value: 500 }]);
    const b = run('Small suppliers are exempt from GST registration.').molecules;
    assert.deepEqual(b.map((m) => [m.type, m.configuration.exception, m.configuration.rule]), [['ExceptionMolecule', 'Small suppliers', 'GST registration']]);
    for (const trigger of ['depends on', 'is subject to', 'only after', 'is conditional on']) {
      assert.deepEqual(run(`Access ${trigger} training.`).molecules.map((m) => m.type), ['RequiresMolecule'], trigger);
    }
  });

  it('tells a qualifying threshold (condition) from a bound (constraint)', () => {
    const types = (text: string) => run(text).molecules.map((m) => m.type).sort();
    assert.deepEqual(types('Gifts valued at more than $100 must be declared.'), ['ConditionMolecule', 'ConstraintMolecule']);
    assert.deepEqual(types('Employees cannot carry over more than 5 vacation days.'), ['ConstraintMolecule']);
    assert.deepEqual(types('Employees with at least 5 years of service receive 4 weeks of vacation.'), ['ConditionMolecule']);
    assert.deepEqual(types('The policy applies to staff, excluding contractors engaged for less than 30 days.'), ['ExceptionMolecule']);
  });

  it('links atoms by index into the same extraction, in order', () => {
    const { atoms, molecules } = run('In Ontario, employees must receive at least 2 weeks of vacation after 12 months of employment.');
    for (const m of molecules) {
      assert.deepEqual(m.atoms.map((r) => r.order), m.atoms.map((_, i) => i));
      for (const r of m.atoms) assert.ok(atoms[r.atom]);
      const starts = m.atoms.map((r) => atoms[r.atom].start);
      assert.deepEqual(starts, [...starts].sort((x, y) => x - y));
    }
  });

  it('finds nothing in plain statements', () => {
    assert.deepEqual(run('Section 3 describes the approval workflow.').molecules, []);
    assert.deepEqual(run('The meeting agenda is attached.').molecules, []);
  });
});
