import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitSentences } from '../../server/extraction/rules/sentences';

const texts = (s: string) => splitSentences(s).map((x) => x.text);

describe('splitSentences', () => {
  it('splits on terminal punctuation and keeps offsets', () => {
    const text = 'The rate is 10%. It applies in Quebec!  Does it? Yes.';
    const sentences = splitSentences(text);
    assert.deepEqual(sentences.map((s) => s.text), ['The rate is 10%.', 'It applies in Quebec!', 'Does it?', 'Yes.']);
    for (const s of sentences) assert.equal(text.slice(s.start, s.end), s.text);
  });

  it('does not split abbreviations, decimals or statute sections', () => {
    assert.deepEqual(texts('Acme Inc. pays $5.50 per unit, e.g. for Widgets Ltd. under s. 3 of the Act. Done.'), [
      'Acme Inc. pays $5.50 per unit, e.g. for Widgets Ltd. under s. 3 of the Act.',
      'Done.',
    ]);
    assert.deepEqual(texts('See No. 5 and Dec. 31, 2025 for the U.S. rules.'), ['See No. 5 and Dec. 31, 2025 for the U.S. rules.']);
    assert.deepEqual(texts('Send it at 5 p.m. today. Thanks.'), ['Send it at 5 p.m. today.', 'Thanks.']);
  });

  it('splits at line breaks and keeps list numbers with their line', () => {
    assert.deepEqual(texts('1. Scope\n2. Fees are due\n\nEnd'), ['1. Scope', '2. Fees are due', 'End']);
  });

  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(splitSentences(''), []);
    assert.deepEqual(splitSentences('  \n\t '), []);
  });

  it('caps very long sentences without splitting surrogate pairs', () => {
    const text = '😀'.repeat(3000);
    const sentences = splitSentences(text);
    assert.ok(sentences.length > 1);
    for (const s of sentences) {
      assert.equal(text.slice(s.start, s.end), s.text);
      assert.ok(!/[\uD800-\uDBFF]$/.test(s.text), 'ends on a high surrogate');
    }
  });
});
