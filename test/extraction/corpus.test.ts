/**
 * The labelled corpus (test/fixtures/extraction/*.json): every labelled atom and molecule is
 * checked, precision and recall are computed per atom type and per molecule type, printed, and
 * must both be at least 0.9.
 *
 * Labelling guide, written before the extractors were tuned (what a careful reader marks):
 *
 * Atoms
 * - NumberAtom: every amount, quantity, percentage or sum of money written in digits. Quote = the
 *   number with its sign, currency symbol/code and unit of measure ("$5,000", "5,000 CAD", "10%",
 *   "15 days"). value = the number (10% -> 0.1). unit = "%", the ISO currency code ("$" is USD unless
 *   the text is Canadian: Canada/Canadian, a province or territory, CAD, C$, CA$, CRA, GST, HST, QST,
 *   CPP, QPP, RRSP, TFSA), or the unit of measure as written, lower-cased: time (seconds … years,
 *   business days) and distance/weight/data (km, miles, kg, lbs, GB…). Counted nouns ("50 employees")
 *   are not units. Not numbers: years and date digits, section/form/line/step/page/version references,
 *   ordinals, list markers, phone/account numbers, times of day, numbers in words.
 * - Ranges ("between 5% and 10%", "5–10%", "from $1,000 to $2,000") are one JSONAtom {min,max,unit},
 *   quote including "between"/"from"; "increased from 5% to 7%" is a change: two NumberAtoms.
 * - DateAtom: calendar dates (quote without a leading on/by/as of), ISO value; month + year "YYYY-MM";
 *   a year standing for a date ("in 2026", "for the 2025 tax year") "YYYY"; yearless dates take the next
 *   occurrence on or after the reference date. Relative expressions anchored on now ("within 30 days",
 *   "in 2 weeks", "next Monday", "tomorrow") resolved against the reference date. Durations
 *   ("30 days after the invoice date", "after 5 years of service") are NumberAtoms. Date ranges are a
 *   JSONAtom {start,end}.
 * - TextAtom: jurisdictions (countries, provinces/territories, US states, EU; standard abbreviations),
 *   major cities, organisations by name or acronym, defined terms in quotation marks (without the
 *   marks), names of rates/thresholds/fees: a head noun (rate, threshold, fee, penalty, limit, cap,
 *   ceiling, allowance, surcharge, deductible, premium, levy, charge, discount) with the modifiers
 *   directly before it, not determiners, verbs, numbers, places, organisations, possessives, adverbs or
 *   vague adjectives (new, current, applicable). A bare "rate" is not labelled.
 * - BooleanAtom: "<subject> is/are (not) required|mandatory|optional|enabled|disabled|allowed|permitted|
 *   prohibited|forbidden" (not "required to <verb>"), and "Label: yes/no/enabled/…" lines.
 * - JSONAtom table_row: every data row of a table.
 *
 * Molecules (per sentence; a sentence may hold several; enforcement: block for must/shall/cannot/
 * may not/required/mandatory/prohibited/forbidden/not permitted/not allowed, warn for should/
 * recommended/encouraged, else inform)
 * - Condition: sentence-initial if/when/whenever/where/once/upon/in the event/provided/as long as, a later
 *   if/whenever/provided that/as long as/only if/when, a leading "In/For/Within/Under <jurisdiction…>,",
 *   or a value qualified by a threshold comparator restricting a noun ("for amounts over $5,000",
 *   "donations above $200", "transactions of $10,000 or more", "employees with at least 5 years");
 *   the same comparator after a copula or modal is a constraint's bound; one inside an exception
 *   clause belongs to the exception. Needs a main clause.
 * - Constraint: must, shall, cannot, may not, required, mandatory, prohibited, forbidden, not permitted,
 *   should, recommended, encouraged, maximum, minimum, no more/less than, not exceed, limited to,
 *   capped at, no later than, up to <value>, at most, at least (not "with at least"), comparators after
 *   a copula or modal. Not for "Label: value" lines.
 * - Exception: except, unless, other than, excluding, with the exception of, does not apply to,
 *   not including, exempt. One per trigger.
 * - Requires: requires, depends on, subject to, only after, only once, conditional/contingent on,
 *   prerequisite, prior (written) approval/consent/authorization, pre-approval.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { load, precisionRecall, scoreCorpus } from '../support/extractionCorpus';

describe('extraction corpus', () => {
  const corpus = load();

  it('has at least 150 labelled entries across the domains, negatives and pathological inputs', () => {
    assert.ok(corpus.length >= 150, `corpus has ${corpus.length} entries`);
    const files = new Set(corpus.map((c) => c.file));
    for (const f of ['tax.json', 'compliance.json', 'billing.json', 'hr.json', 'negatives.json', 'pathological.json']) assert.ok(files.has(f), f);
  });

  it('meets precision and recall ≥ 0.9 per atom and molecule type, with exact quotes', () => {
    const { tally, misses } = scoreCorpus(corpus);
    const rows: string[] = [];
    const failures: string[] = [];
    for (const [type, counts] of tally) {
      const { tp, fp, fn } = counts;
      if (tp + fp + fn === 0) continue;
      const { precision, recall } = precisionRecall(counts);
      rows.push(`${type.padEnd(20)} tp=${String(tp).padStart(3)} fp=${String(fp).padStart(3)} fn=${String(fn).padStart(3)}  precision=${precision.toFixed(3)}  recall=${recall.toFixed(3)}`);
      if (precision < 0.9 || recall < 0.9) failures.push(type);
    }
    console.log(`corpus: ${corpus.length} entries\n${rows.join('\n')}`);
    if (misses.length) console.log(`disagreements (${misses.length}):\n  ${misses.join('\n  ')}`);
    assert.deepEqual(failures, [], `precision or recall below 0.9 for ${failures.join(', ')}`);
  });
});
