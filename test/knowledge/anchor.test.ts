import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reanchor, selectorAt } from '../../server/extraction/anchor';

const TEXT = 'The late fee is 2% of the invoice; the late fee is waived for members.';

describe('re-anchoring a manual annotation', () => {
  const second = TEXT.lastIndexOf('late fee');
  const selector = selectorAt(TEXT, second, second + 'late fee'.length);

  it('follows its text when someone types before it', () => {
    const text = `Note: ${TEXT}`;
    assert.deepEqual(reanchor(selector, text), { start: second + 6, end: second + 6 + 8 });
  });

  it('keeps to its own occurrence when the same words appear earlier', () => {
    const text = TEXT.replace('The late fee is 2%', 'The late fee is 3%');
    const span = reanchor(selector, text)!;
    assert.equal(span.start, second);
  });

  it('stays on its occurrence when the same words are added after it', () => {
    const text = `${TEXT} Non-members pay the late fee in full.`;
    assert.deepEqual(reanchor(selector, text), { start: second, end: second + 8 });
  });

  it('grows with an edit inside it', () => {
    const text = TEXT.replace('the late fee is waived', 'the late payment fee is waived');
    const span = reanchor(selector, text)!;
    assert.equal(text.slice(span.start, span.end), 'late payment fee');
  });

  it('is lost (orphaned) when its text and its surroundings are deleted', () => {
    assert.equal(reanchor(selector, 'The late fee is 2% of the invoice.'.replace('late fee', 'charge')), null);
    assert.equal(reanchor(selector, ''), null);
  });

  it('counts offsets in UTF-16 units, as the editor does', () => {
    const text = '🇨🇦 Quebec 💸 rate';
    const start = text.indexOf('Quebec');
    const s = selectorAt(text, start, start + 6);
    assert.deepEqual(reanchor(s, `🎉${text}`), { start: start + 2, end: start + 8 });
  });
});
