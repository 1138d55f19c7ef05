/**
 * Request bodies are bounded while they stream: a 200 MB chunked body (no Content-Length) to
 * /api/files or to a JSON route is refused with 413 soon after the limit is crossed, and the real
 * server process's memory (RSS, sampled from /proc) does not grow with the body.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnServer, type ServerProcess } from '../support/process';
import { createPostgresDatabase, testDbKind } from '../support/db';

const MB = 1024 * 1024;
const BODY_BYTES = 200 * MB;

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

interface StreamedResult {
  status: number;
  body: { error?: { code?: string; message?: string } };
  /** Bytes written before the response arrived. */
  sentBeforeResponse: number;
  msToResponse: number;
  rssGrowth: number;
}

/** Streams `head`, zeros up to BODY_BYTES and `tail`, chunked, until the server answers; samples its RSS meanwhile. */
function streamBody(server: ServerProcess, route: string, headers: Record<string, string>, head: string, tail: string): Promise<StreamedResult> {
  const pid = server.child.pid ?? 0;
  const baseline = rssBytes(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  const started = Date.now();
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ hostname, port, path: route, method: 'POST', headers: { ...headers, origin: server.url } }, (res) => {
      answered = true;
      const sentBeforeResponse = sent;
      const msToResponse = Date.now() - started;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearInterval(sampler);
        peak = Math.max(peak, rssBytes(pid));
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), sentBeforeResponse, msToResponse, rssGrowth: peak - baseline });
      });
    });
    req.on('error', (error) => {
      clearInterval(sampler);
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(MB);
    const pump = () => {
      while (!answered && sent < BODY_BYTES) {
        sent += MB;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end(tail);
    };
    req.write(head);
    pump();
  });
}

/** Next admits one dev server per work tree: wait (up to 2 minutes) for another one to end. */
async function spawnWithNext(env: Record<string, string>): Promise<ServerProcess> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await spawnServer(env, 'all');
    } catch (error) {
      if (Date.now() > deadline || !String(error).includes('Another next dev server is already running')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

describe('request bodies are bounded while they stream', { timeout: 300_000 }, () => {
  let server: ServerProcess;
  let dataDir: string;
  let cookie = '';
  let dropDatabase = async () => {};

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-bodies-'));
    const env: Record<string, string> = { DATA_DIR: dataDir, REDIS_URL: '', NEO4J_URI: '', DATABASE_URL: '' };
    if (testDbKind() === 'postgres') {
      const database = await createPostgresDatabase();
      env.DATABASE_URL = database.url;
      dropDatabase = database.drop;
    }
    server = await spawnWithNext(env);
    const signUp = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: `b-${randomUUID().slice(0, 8)}@example.com`, name: 'B', password: 'correct horse battery', organisation: 'Bodies' }),
    });
    assert.equal(signUp.status, 201, await signUp.text());
    cookie = (signUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // Each route compiles (dev) on its first request: a small upload and a small document first.
    const form = new FormData();
    form.set('file', new File([new Uint8Array([1, 2, 3])], 'warm.png', { type: 'image/png' }));
    const warm = await fetch(`${server.url}/api/files`, { method: 'POST', body: form, headers: { cookie, origin: server.url } });
    assert.equal(warm.status, 201, await warm.text());
    const document = await fetch(`${server.url}/api/documents`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'warm' }),
    });
    assert.equal(document.status, 201, await document.text());
  });
  after(async () => {
    await server?.kill('SIGTERM');
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a 200 MB chunked upload gets 413 soon after 20 MB, and the server does not buffer it', async () => {
    const boundary = 'kosboundary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`;
    const result = await streamBody(server, '/api/files', { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, head, `\r\n--${boundary}--\r\n`);
    process.stderr.write(`upload: ${JSON.stringify({ ...result, sentBeforeResponse: result.sentBeforeResponse / MB, rssGrowth: result.rssGrowth / MB })}\n`);
    assert.equal(result.status, 413);
    assert.equal(result.body.error?.code, 'too_large');
    assert.ok(result.sentBeforeResponse < 60 * MB, `answered after ${result.sentBeforeResponse / MB} MB`);
    assert.ok(result.rssGrowth < 100 * MB, `RSS grew ${Math.round(result.rssGrowth / MB)} MB`);
  });

  it('a 200 MB chunked JSON body gets 413 soon after 1 MB, and the server does not buffer it', async () => {
    const result = await streamBody(server, '/api/documents', { cookie, 'content-type': 'application/json' }, '{"title":"', '"}');
    process.stderr.write(`json: ${JSON.stringify({ ...result, sentBeforeResponse: result.sentBeforeResponse / MB, rssGrowth: result.rssGrowth / MB })}\n`);
    assert.equal(result.status, 413);
    assert.equal(result.body.error?.code, 'too_large');
    assert.ok(result.sentBeforeResponse < 40 * MB, `answered after ${result.sentBeforeResponse / MB} MB`);
    assert.ok(result.rssGrowth < 100 * MB, `RSS grew ${Math.round(result.rssGrowth / MB)} MB`);
  });
});
