/** Uploads for image and file blocks: stored under ids only, readable only in their tenant. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/collab';
import { ORIGIN, params, request } from '../support/http';
import * as filesRoute from '../../app/api/files/route';
import * as fileRoute from '../../app/api/files/[id]/route';

function upload(cookie: string, name: string, bytes: Uint8Array<ArrayBuffer>, type = 'image/png', origin: string | null = ORIGIN): Request {
  const form = new FormData();
  form.set('file', new File([bytes], name, { type }));
  const headers: Record<string, string> = { cookie };
  if (origin) headers.origin = origin;
  return new Request(`${ORIGIN}/api/files`, { method: 'POST', body: form, headers });
}

describe('file uploads', () => {
  let server: TestServer;
  let dataDir: string;
  const fileCount = async () => Number((await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM files')).rows[0].n);
  const storedNames = () => fs.readdirSync(dataDir, { recursive: true }).map(String);

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-files-'));
    server = await startTestServer({ env: { DATA_DIR: dataDir } });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores an upload and serves it back with its name and type', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const response = await filesRoute.POST(upload(server.cookie, 'chart.png', bytes));
    assert.equal(response.status, 201);
    const { file } = await response.json();
    assert.equal(file.name, 'chart.png');
    const download = await fileRoute.GET(request(file.url, { cookie: server.cookie }), params({ id: file.id }));
    assert.equal(download.status, 200);
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), bytes);
    assert.equal(download.headers.get('content-type'), 'image/png');
    assert.match(download.headers.get('content-disposition') ?? '', /^inline; filename\*=UTF-8''chart\.png$/);
  });

  for (const name of ['../../etc/passwd', '..\\..\\boot.ini', 'a/b.txt', '..', 'evil\u0000.png']) {
    it(`refuses the path-traversal name ${JSON.stringify(name)} with 400 and writes nothing`, async () => {
      const before = { rows: await fileCount(), stored: storedNames().length };
      const response = await filesRoute.POST(upload(server.cookie, name, new Uint8Array([1, 2, 3])));
      assert.equal(response.status, 400);
      assert.match((await response.json()).error.message, /path separators|control characters|1 to 255/);
      assert.equal(await fileCount(), before.rows);
      assert.equal(storedNames().length, before.stored);
      const outside = storedNames().filter((n) => n !== 'uploads' && !n.startsWith(`uploads${path.sep}`));
      assert.deepEqual(outside, [], 'nothing is written outside DATA_DIR/uploads');
    });
  }

  it('serves SVG and HTML as downloads, never inline', async () => {
    const response = await filesRoute.POST(upload(server.cookie, 'x.svg', new TextEncoder().encode('<svg onload="alert(1)"/>'), 'image/svg+xml'));
    const { file } = await response.json();
    const download = await fileRoute.GET(request(file.url, { cookie: server.cookie }), params({ id: file.id }));
    assert.equal(download.headers.get('content-type'), 'application/octet-stream');
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment;/);
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
  });

  it('refuses an upload from another site (CSRF) and a signed-out one', async () => {
    const before = await fileCount();
    assert.equal((await filesRoute.POST(upload(server.cookie, 'a.png', new Uint8Array([1]), 'image/png', 'https://evil.example'))).status, 403);
    assert.equal((await filesRoute.POST(upload('', 'a.png', new Uint8Array([1])))).status, 401);
    assert.equal(await fileCount(), before);
  });

  it('a body that is not multipart gets 400', async () => {
    const response = await filesRoute.POST(request('/api/files', { method: 'POST', body: { file: 'x' }, cookie: server.cookie }));
    assert.equal(response.status, 400);
  });
});
