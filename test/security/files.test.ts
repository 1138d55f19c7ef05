/**
 * Attacks on file uploads (app/api/files): path traversal in the name and in the id, another
 * tenant's files and documents, readers uploading, oversized uploads, header injection through
 * the name. Every refusal leaves no row in `files` and nothing on disk; every stored file lies at
 * DATA_DIR/uploads/<tenant>/<id>, whatever its name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { ORIGIN, cookieFrom, params, request, statusAndBody } from '../support/http';
import * as signupRoute from '../../app/api/auth/signup/route';
import * as invitesRoute from '../../app/api/invites/route';
import * as inviteRoute from '../../app/api/invites/[token]/route';
import * as documentsRoute from '../../app/api/documents/route';
import * as filesRoute from '../../app/api/files/route';
import * as fileRoute from '../../app/api/files/[id]/route';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);

function upload(cookie: string, name: string, options: { documentId?: string; type?: string; headers?: Record<string, string> } = {}): Request {
  const form = new FormData();
  form.set('file', new File([PNG], name, { type: options.type ?? 'image/png' }));
  if (options.documentId) form.set('documentId', options.documentId);
  return new Request(`${ORIGIN}/api/files`, { method: 'POST', body: form, headers: { cookie, origin: ORIGIN, ...options.headers } });
}

async function signUp(organisation?: string): Promise<string> {
  const response = await signupRoute.POST(
    request('/api/auth/signup', { body: { email: `f-${randomUUID().slice(0, 8)}@example.com`, name: 'F', password: 'correct horse battery', organisation } }),
  );
  assert.equal(response.status, 201);
  const cookie = cookieFrom(response);
  assert.ok(cookie, 'a session cookie');
  return cookie;
}

describe('file upload attacks', { timeout: 60_000 }, () => {
  let server: TestServer;
  let dataDir: string;
  let outside: string;
  let a: string;
  let b: string;
  let developer: string;
  let fileOfB: { id: string; url: string };
  let documentOfB: string;

  /** Every path under the data directory, and what a traversal would have written next to it. */
  const disk = () => ({
    stored: fs.readdirSync(dataDir, { recursive: true }).map(String).sort(),
    outside: fs.readdirSync(outside, { recursive: true }).map(String).sort(),
  });
  const rows = async () => Number((await server.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM files')).rows[0].n);

  async function uploaded(response: Response): Promise<{ id: string; url: string; name: string }> {
    const body = (await response.json()) as { file: { id: string; url: string; name: string } };
    assert.equal(response.status, 201, JSON.stringify(body));
    return body.file;
  }

  before(async () => {
    // DATA_DIR sits inside a directory of its own, so a write that escapes it lands somewhere we can see.
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-files-attack-'));
    dataDir = path.join(outside, 'data');
    fs.mkdirSync(dataDir);
    server = await startTestServer({ env: { DATA_DIR: dataDir } });
    a = await signUp('Alpha');
    b = await signUp('Bravo');
    const invite = (await (await invitesRoute.POST(request('/api/invites', { body: { persona: 'developer' }, cookie: a }))).json()) as { url: string };
    const token = invite.url.split('/invite/')[1] ?? '';
    developer = await signUp();
    assert.equal((await inviteRoute.POST(request(`/api/invites/${token}`, { method: 'POST', cookie: developer }), { params: Promise.resolve({ token }) })).status, 200);
    documentOfB = ((await (await documentsRoute.POST(request('/api/documents', { body: { title: 'B' }, cookie: b }))).json()) as { document: { id: string } }).document.id;
    fileOfB = await uploaded(await filesRoute.POST(upload(b, 'secret.png', { documentId: documentOfB })));
  });
  after(async () => {
    await server?.close();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('a stored file lies at uploads/<tenant>/<id>, whatever its name', async () => {
    for (const name of ['.htaccess', '..png', 'a..b.png', '%2e%2e%2fescape.png', '..%2F..%2Fescape.png', 'a∕b.png', 'a／b.png', 'CON', ' spaced .png']) {
      const file = await uploaded(await filesRoute.POST(upload(a, name)));
      assert.equal(file.name, name.trim(), 'the name is kept as data');
      const { rows: stored } = await server.services.db.query<{ tenantId: string }>('SELECT tenant_id AS "tenantId" FROM files WHERE id = $1', [file.id]);
      assert.ok(fs.existsSync(path.join(dataDir, 'uploads', stored[0].tenantId, file.id)), `${name} is stored under its id`);
    }
    const { outside: beside } = disk();
    assert.deepEqual(beside.filter((p) => p !== 'data' && !p.startsWith(`data${path.sep}uploads`)), [], 'nothing written beside DATA_DIR/uploads');
    for (const p of disk().stored.filter((x) => x.split(path.sep).length === 3)) {
      assert.match(path.basename(p), /^[0-9a-f-]{36}$/, `${p} is named by an id only`);
    }
  });

  for (const name of ['../escape.png', '../../../../tmp/escape.png', '..\\escape.png', '/etc/passwd', 'C:\\evil.png', 'evil\u0000.png', '..']) {
    it(`the name ${JSON.stringify(name)} gets 400 and nothing is stored`, async () => {
      const before = { rows: await rows(), disk: disk() };
      const { status, body } = await statusAndBody(await filesRoute.POST(upload(a, name)));
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal((body as { error: { code: string } }).error.code, 'bad_request');
      assert.equal(await rows(), before.rows);
      assert.deepEqual(disk(), before.disk);
    });
  }

  it('a traversal or another id in the download path gets 404 like an unknown file', async () => {
    const unknown = await statusAndBody(await fileRoute.GET(request(`/api/files/${UNKNOWN}`, { cookie: a }), params({ id: UNKNOWN })));
    assert.equal(unknown.status, 404);
    for (const id of ['../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', `../${fileOfB.id}`, `${fileOfB.id}/../../x`, '.', '']) {
      const response = await statusAndBody(await fileRoute.GET(request(`/api/files/${encodeURIComponent(id)}`, { cookie: a }), params({ id })));
      assert.deepEqual(response, unknown, `id ${JSON.stringify(id)}`);
    }
  });

  it("B's file is 404 for A, the same answer as an unknown id, and B still gets it", async () => {
    const foreign = await statusAndBody(await fileRoute.GET(request(fileOfB.url, { cookie: a }), params({ id: fileOfB.id })));
    const unknown = await statusAndBody(await fileRoute.GET(request(`/api/files/${UNKNOWN}`, { cookie: a }), params({ id: UNKNOWN })));
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign, unknown);
    const own = await fileRoute.GET(request(fileOfB.url, { cookie: b }), params({ id: fileOfB.id }));
    assert.equal(own.status, 200);
    assert.deepEqual(new Uint8Array(await own.arrayBuffer()), PNG);
  });

  it("attaching an upload to B's document is 404 for A and stores nothing", async () => {
    const before = { rows: await rows(), disk: disk() };
    const foreign = await statusAndBody(await filesRoute.POST(upload(a, 'x.png', { documentId: documentOfB })));
    const unknown = await statusAndBody(await filesRoute.POST(upload(a, 'x.png', { documentId: UNKNOWN })));
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign, unknown);
    assert.equal(await rows(), before.rows);
    assert.deepEqual(disk(), before.disk);
  });

  it('a developer cannot upload (403) and nothing is stored', async () => {
    const before = { rows: await rows(), disk: disk() };
    const { status, body } = await statusAndBody(await filesRoute.POST(upload(developer, 'dev.png')));
    assert.equal(status, 403);
    assert.equal((body as { error: { code: string } }).error.code, 'forbidden');
    assert.equal(await rows(), before.rows);
    assert.deepEqual(disk(), before.disk);
  });

  it('an upload declared larger than the limit gets 413 before it is read', async () => {
    const before = { rows: await rows(), disk: disk() };
    const { status, body } = await statusAndBody(await filesRoute.POST(upload(a, 'big.png', { headers: { 'content-length': String(200 * 1024 * 1024) } })));
    assert.equal(status, 413);
    assert.equal((body as { error: { code: string } }).error.code, 'too_large');
    assert.equal(await rows(), before.rows);
    assert.deepEqual(disk(), before.disk);
  });

  it('a name with quotes cannot add parameters to Content-Disposition, and HTML is never inline', async () => {
    const file = await uploaded(await filesRoute.POST(upload(a, 'x.png"; filename="evil.html', { type: 'text/html' })));
    const download = await fileRoute.GET(request(file.url, { cookie: a }), params({ id: file.id }));
    const disposition = download.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename\*=UTF-8''[^";\s]+$/, disposition);
    assert.equal(download.headers.get('content-type'), 'application/octet-stream');
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
  });
});
