/** The audit log pages exactly: entries written in one transaction share created_at. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/collab';
import { request } from '../support/http';
import * as auditRoute from '../../app/api/audit/route';

describe('audit log paging', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('pages of 2 over 7 entries with one timestamp return each entry once, newest first', async () => {
    const { db, local } = server.services;
    const resource = randomUUID();
    await db.tx(async (tx) => {
      for (let i = 0; i < 7; i++) {
        await tx.query(
          `INSERT INTO audit_log (tenant_id, user_id, action, resource_type, resource_id, new_values) VALUES ($1, $2, 'UPDATE', 'document', $3, $4)`,
          [local.tenant.id, local.user.id, resource, JSON.stringify({ step: i })],
        );
      }
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = `resourceId=${resource}&limit=2${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`;
      const response = await auditRoute.GET(request(`/api/audit?${query}`, { cookie: server.cookie }));
      assert.equal(response.status, 200);
      const { entries } = (await response.json()) as { entries: Array<{ id: string; cursor: string }> };
      seen.push(...entries.map((e) => e.id));
      if (entries.length < 2) break;
      cursor = entries[entries.length - 1].cursor;
    }
    assert.equal(seen.length, 7, 'every entry once');
    assert.equal(new Set(seen).size, 7, 'no entry twice');
  });

  it('a cursor that is not one gets 400', async () => {
    const response = await auditRoute.GET(request(`/api/audit?before=${encodeURIComponent("2026-01-01' OR 1=1 --")}`, { cookie: server.cookie }));
    assert.equal(response.status, 400);
  });
});
