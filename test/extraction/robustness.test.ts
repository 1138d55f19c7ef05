/**
 * Hostile and unusual inputs: each must come back within 2 seconds, without throwing, with every
 * offset inside the text and every quote equal to its slice (offsets are UTF-16 code units).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBlock } from '../../server/extraction/ruleExtractor';
import type { BlockInput, Extraction } from '../../server/extraction/types';

const REF = new Date('2025-06-15T12:00:00Z');
const LIMIT_MS = 2000;

function check(text: string, block: Partial<BlockInput> = {}): { result: Extraction; ms: number } {
  const started = performance.now();
  const result = extractBlock({ id: 'b', blockType: 'paragraph', text, ...block }, { heading: 'Robustness' }, { referenceDate: REF });
  const ms = performance.now() - started;
  assert.ok(ms < LIMIT_MS, `took ${Math.round(ms)} ms`);
  if (ms > 100) console.log(`${Math.round(ms)} ms for ${text.length} chars: ${JSON.stringify(text.slice(0, 30))}…`);
  for (const a of result.atoms) {
    assert.ok(a.start >= 0 && a.start <= a.end && a.end <= text.length, `offsets ${a.start}-${a.end}`);
    assert.equal(text.slice(a.start, a.end), a.quote);
    assert.ok(Number.isFinite(a.confidence));
  }
  for (const m of result.molecules) {
    assert.ok(m.start >= 0 && m.end <= text.length);
    assert.equal(text.slice(m.start, m.end), m.quote);
    for (const r of m.atoms) assert.ok(result.atoms[r.atom]);
  }
  return { result, ms };
}

const SENTENCE = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026. ';

describe('robustness', () => {
  it('handles 1 MB of text', () => {
    const text = SENTENCE.repeat(Math.ceil(1_000_000 / SENTENCE.length)).slice(0, 1_000_000);
    const { result } = check(text);
    assert.ok(result.atoms.length > 1000);
  });

  it('handles 1 MB without any sentence break', () => {
    check('lorem ipsum dolor sit amet 12 '.repeat(35_000));
  });

  it('handles 10,000 digits, and 10,000 digits with separators', () => {
    assert.deepEqual(check('1'.repeat(10_000)).result.atoms, []);
    check('1,'.repeat(5_000) + '5%');
    check('1.'.repeat(5_000));
    check('1-'.repeat(5_000));
    check('$'.repeat(5_000) + '1');
  });

  it('handles deeply nested brackets', () => {
    const { result } = check('('.repeat(5_000) + 'the fee is $5' + ')'.repeat(5_000));
    assert.deepEqual(result.atoms.map((a) => a.quote), ['$5']);
    check('[{('.repeat(3_000) + '“' .repeat(2_000));
  });

  it('handles mixed scripts, emoji (surrogate pairs) and RTL text with UTF-16 offsets', () => {
    const emoji = check('💰💰 The late fee is 2% 🎉 in Québec, 税率は10%です。');
    assert.deepEqual(emoji.result.atoms.map((a) => a.quote), ['late fee', '2%', 'Québec', '10%']);
    const text = 'معدل الضريبة 15% في كندا — the rate is 10% שיעור המס 17%';
    const rtl = check(text);
    assert.deepEqual(rtl.result.atoms.map((a) => a.quote), ['15%', '10%', '17%']);
    check('\u202Eevil override 10%\u202C and \u200Bzero\u200Bwidth 5%');
    check('🏳️‍🌈'.repeat(20_000));
    check('\uD800 lone surrogate 10% \uDC00');
  });

  it('handles empty, blank and punctuation-only text', () => {
    assert.deepEqual(check('').result, { atoms: [], molecules: [] });
    assert.deepEqual(check('   \n\t ').result, { atoms: [], molecules: [] });
    check('.'.repeat(50_000));
    check('%$€,.-–— '.repeat(20_000));
    check('if if if if, unless except requires must '.repeat(20_000));
    check('"'.repeat(100_000));
  });

  it('handles large tables', () => {
    const cells = Array.from({ length: 2_000 }, (_, i) => [`Row ${i}`, `${i}%`, `$${i},000`, 'Yes']);
    const text = cells.map((r) => r.join('\t')).join('\n');
    const { result } = check(text, { blockType: 'table', cells, hasHeader: false });
    assert.equal(result.atoms.filter((a) => a.kind === 'table_row').length, 2_000);
  });
});
