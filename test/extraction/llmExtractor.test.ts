/**
 * The LLM extractor against a tiny local HTTP server that plays the remote chat-completions
 * service with canned answers (a fake of the remote service), including malformed ones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { llmExtractor, parseAnswer } from '../../server/extraction/llmExtractor';
import type { BlockInput } from '../../server/extraction/types';

interface Seen {
  path: string;
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[] };
}

// What the fake answers, keyed by a marker word in the block text.
const ANSWERS: Record<string, (text: string) => { status?: number; delayMs?: number; content?: string; raw?: string }> = {
  VALID: (text) => ({
    content: JSON.stringify({
      atoms: [
        { type: 'TextAtom', kind: 'jurisdiction', quote: 'Quebec', start: text.indexOf('Quebec'), value: 'Quebec', name: 'Quebec', confidence: 0.9 },
        // Wrong offset: re-anchored on the text.
        { type: 'NumberAtom', kind: 'percentage', quote: '10%', start: 0, value: 0.1, canonical: '10%', unit: '%', name: 'Quebec withholding rate', confidence: 0.95 },
        // Not in the text: dropped, and so is the molecule's link to it.
        { type: 'NumberAtom', kind: 'currency', quote: '$9,999', start: 3, value: 9999, unit: 'CAD' },
        // Wrapped value form and a date.
        { type: 'DateAtom', kind: 'date', quote: 'January 1, 2026', value: { date: '2026-01-01' }, name: 'Effective date' },
        // A value of the wrong type: dropped.
        { type: 'BooleanAtom', quote: 'Quebec', value: 'yes' },
      ],
      molecules: [
        {
          type: 'ConditionMolecule',
          quote: text,
          start: 0,
          name: 'Quebec withholding rate condition',
          enforcement: 'inform',
          confidence: 0.8,
          atoms: [
            { atom: 0, role: 'condition', order: 0 },
            { atom: 2, role: 'condition', order: 1 },
            { atom: 1, role: 'result', order: 2 },
          ],
          configuration: { ruleType: 'if_then', condition: 'jurisdiction is Quebec', result: 'withholding rate is 10%' },
        },
        { type: 'ExceptionMolecule', quote: 'a sentence that is not there', configuration: { ruleType: 'exception' } },
      ],
    }),
  }),
  FENCED: () => ({ content: '```json\n{"atoms":[{"type":"NumberAtom","quote":"7%","value":0.07}],"molecules":[]}\n```' }),
  MALFORMED: () => ({ content: 'Sure! Here are the atoms: 10% and Quebec.' }),
  INVALID: () => ({ content: JSON.stringify({ atoms: 'none', molecules: [] }) }),
  NOCHOICES: () => ({ raw: JSON.stringify({ error: 'overloaded' }) }),
  HTTP500: () => ({ status: 500, raw: 'upstream error' }),
  SLOW: () => ({ delayMs: 700, content: JSON.stringify({ atoms: [], molecules: [] }) }),
};

let server: Server;
let base = '';
const seen: Seen[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  let data = '';
  for await (const chunk of req) data += chunk;
  return data;
}

before(async () => {
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as Seen['body'];
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    const user = JSON.parse(body.messages.find((m) => m.role === 'user')?.content ?? '{}') as { text: string };
    const key = user.text.split(':')[0] in ANSWERS ? user.text.split(':')[0] : 'VALID';
    const answer = ANSWERS[key](user.text);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(answer.raw ?? JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer.content } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const block = (text: string): BlockInput => ({ id: 'b', blockType: 'paragraph', text });

describe('llmExtractor', () => {
  it('asks the chat-completions endpoint and re-anchors the spans it gets back', async () => {
    const text = 'VALID: In Quebec, the withholding rate is 10%, effective January 1, 2026.';
    const extractor = llmExtractor(base, 'test-model', 'secret-key');
    assert.equal(extractor.name, 'llm:test-model');
    const { atoms, molecules } = await extractor.extract(block(text), { heading: 'Withholding' });

    const request = seen[seen.length - 1];
    assert.equal(request.path, '/v1/chat/completions');
    assert.equal(request.authorization, 'Bearer secret-key');
    assert.equal(request.body.model, 'test-model');
    assert.match(request.body.messages[1].content, /Withholding/);

    assert.deepEqual(atoms.map((a) => [a.type, a.quote, a.start, a.value]), [
      ['TextAtom', 'Quebec', text.indexOf('Quebec'), { text: 'Quebec' }],
      ['NumberAtom', '10%', text.indexOf('10%'), { number: 0.1 }],
      ['DateAtom', 'January 1, 2026', text.indexOf('January'), { date: '2026-01-01' }],
    ]);
    for (const a of atoms) assert.equal(text.slice(a.start, a.end), a.quote);
    assert.equal(molecules.length, 1);
    assert.deepEqual(molecules[0].atoms.map((r) => [atoms[r.atom].quote, r.role, r.order]), [
      ['Quebec', 'condition', 0],
      ['10%', 'result', 1],
    ]);
    assert.equal(molecules[0].quote, text);
  });

  it('accepts an answer wrapped in a code fence', async () => {
    const { atoms } = await llmExtractor(`${base}/v1/chat/completions`).extract(block('FENCED: the rate is 7%.'), {});
    assert.deepEqual(atoms.map((a) => a.quote), ['7%']);
    assert.equal(seen[seen.length - 1].body.model, 'gpt-4o-mini');
  });

  for (const kind of ['MALFORMED', 'INVALID', 'NOCHOICES', 'HTTP500']) {
    it(`falls back to the rule extractor on a ${kind} answer`, async () => {
      const text = `${kind}: In Quebec, the withholding rate is 10%.`;
      const { atoms } = await llmExtractor(base).extract(block(text), {});
      assert.deepEqual(atoms.map((a) => a.quote), ['Quebec', 'withholding rate', '10%']);
    });
  }

  it('falls back to the rule extractor on a timeout', async () => {
    const started = Date.now();
    const { atoms } = await llmExtractor(base, 'm', undefined, { timeoutMs: 150 }).extract(block('SLOW: the late fee is 2%.'), {});
    assert.deepEqual(atoms.map((a) => a.quote), ['late fee', '2%']);
    assert.ok(Date.now() - started < 650, 'did not wait for the slow answer');
  });

  it('falls back when the endpoint is unreachable', async () => {
    const { atoms } = await llmExtractor('http://127.0.0.1:1', 'm', undefined, { timeoutMs: 1000 }).extract(block('The fee is 2%.'), {});
    assert.deepEqual(atoms.map((a) => a.quote), ['2%']);
  });

  it('does not call the endpoint for an empty block', async () => {
    const before = seen.length;
    assert.deepEqual(await llmExtractor(base).extract(block('   '), {}), { atoms: [], molecules: [] });
    assert.equal(seen.length, before);
  });

  it('parses and validates answers with zod', () => {
    assert.deepEqual(parseAnswer('{"atoms":[],"molecules":[]}'), { atoms: [], molecules: [] });
    assert.deepEqual(parseAnswer('{}'), { atoms: [], molecules: [] });
    assert.throws(() => parseAnswer('not json'));
    assert.throws(() => parseAnswer('{"atoms":[{"type":"WeirdAtom","quote":"x"}]}'));
  });
});
