/**
 * Row-level security in the database itself (migration 0005), below the API: queries run as
 * `knowledge_app` — as request handlers do through withTenant() — see nothing without a tenant
 * context, only their tenant's rows with one, and may write content only as a domain expert.
 * The owner role (background workers) still sees every tenant. Two tenants are filled the way
 * the app fills them: typing over the websocket (update log, blocks, extraction, outbox, graph),
 * then the few tables typing does not reach are written directly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { connectClient, startTestServer, type TestClient, type TestServer } from '../support/collab';
import { sessionCookie } from '../support/http';
import { waitFor } from '../support/waitFor';
import { YDOC_FIELD } from '../../lib/blocks/types';
import { createInvite, createOrganisation, signUp } from '../../server/auth/accounts';
import { withTenant, type Persona, type TenantContext } from '../../server/db/tenant';
import { DocumentRepository } from '../../server/db/repos/documents';
import type { Sql } from '../../server/db/client';

const SENTENCE = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';

interface Tenant {
  tenantId: string;
  userId: string;
  documentId: string;
  atomId: string;
}

/** The code of the error a promise rejects with (e.g. 42501 insufficient_privilege / RLS violation). */
async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  assert.fail('expected the database to refuse this');
}

describe('row-level security as the application role', { timeout: 180_000 }, () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let tables: string[] = [];
  const clients: TestClient[] = [];

  const db = () => server.services.db;
  const context = (t: Tenant, persona: Persona = 'domain_expert'): TenantContext => ({ tenantId: t.tenantId, userId: t.userId, persona });

  /** As knowledge_app: with a tenant context through withTenant(), or with none at all. */
  function asApp<T>(ctx: TenantContext | null, fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (ctx) return withTenant(db(), ctx, fn);
    return db().tx(async (tx) => {
      await tx.query(`SELECT set_config('role', 'knowledge_app', true)`);
      return fn(tx);
    });
  }
  const count = async (sql: Sql, table: string, where = 'TRUE', values: unknown[] = []) =>
    Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, values)).rows[0].n);
  const tenantColumn = (table: string) => (table === 'tenants' ? 'id' : 'tenant_id');

  async function fill(tenantId: string, userId: string, cookie: string): Promise<Tenant> {
    const document = await DocumentRepository.create(db(), tenantId, { title: `Payroll ${tenantId.slice(0, 4)}` });
    const client = connectClient(server.wsUrl, document.id, { cookie });
    clients.push(client);
    await client.synced;
    const element = new Y.XmlElement('paragraph');
    element.setAttribute('id', randomUUID());
    element.insert(0, [new Y.XmlText(SENTENCE)]);
    client.doc.getXmlFragment(YDOC_FIELD).insert(0, [element]);
    const atomId = await waitFor(async () => {
      const { rows } = await db().query<{ id: string }>('SELECT id FROM atoms WHERE tenant_id = $1 AND deleted_at IS NULL LIMIT 1', [tenantId]);
      assert.ok(rows[0], 'an extracted atom');
      assert.ok((await count(db(), 'graph_nodes', 'tenant_id = $1', [tenantId])) > 0, 'graph nodes synced');
      assert.ok((await count(db(), 'graph_edges', 'tenant_id = $1', [tenantId])) > 0, 'graph edges synced');
      return rows[0].id;
    }, { timeout: 40_000, interval: 50 });
    const t: Tenant = { tenantId, userId, documentId: document.id, atomId };
    // What typing does not write: a domain, an invite, a file, audit rows (a request's writes), sync state.
    await withTenant(db(), context(t), async (tx) => {
      await tx.query(`INSERT INTO domains (tenant_id, name, path) VALUES ($1, 'tax', 'tax')`, [tenantId]);
      await createInvite(tx, tenantId, userId, 'developer');
      await tx.query(`INSERT INTO files (tenant_id, document_id, name, content_type, size_bytes) VALUES ($1, $2, 'a.png', 'image/png', 1)`, [tenantId, document.id]);
      await tx.query(`UPDATE documents SET title = title || ' (filed)' WHERE tenant_id = $1 AND id = $2`, [tenantId, document.id]);
    });
    // A code reference a developer linked to one of the extracted rules.
    await withTenant(db(), context(t, 'developer'), (tx) =>
      tx.query(`INSERT INTO molecule_code_refs (tenant_id, molecule_id, ref, created_by) SELECT $1, id, 'src/payroll.ts#L10', $2 FROM molecule_metadata WHERE tenant_id = $1 LIMIT 1`, [tenantId, userId]),
    );
    // A compacted snapshot (written after 200 updates), of a second, closed document.
    const archived = await DocumentRepository.create(db(), tenantId, { title: 'Archived' });
    await db().query(`INSERT INTO yjs_snapshots (document_id, tenant_id, state, upto_update_id) VALUES ($1, $2, $3, 0)`, [
      archived.id,
      tenantId,
      Buffer.from(Y.encodeStateAsUpdate(new Y.Doc())),
    ]);
    await db().query(
      // The graph sync may have written it already.
      `INSERT INTO sync_state (tenant_id, entity_type, entity_id, postgres_version) VALUES ($1, 'atom', $2, 1) ON CONFLICT DO NOTHING`,
      [tenantId, atomId],
    );
    return t;
  }

  before(async () => {
    server = await startTestServer({ auth: true, projection: { debounceMs: 10, maxWaitMs: 50 } });
    const { local } = server.services;
    a = await fill(local.tenant.id, local.user.id, server.cookie);
    const account = await signUp(db(), { email: `b-${randomUUID().slice(0, 8)}@example.com`, name: 'Bea', password: 'correct horse battery' });
    const { tenantId } = await createOrganisation(db(), account, 'Bravo');
    const { rows } = await db().query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1', [tenantId]);
    b = await fill(tenantId, rows[0].id, await sessionCookie(server.services, account.id, tenantId));
    const { rows: found } = await db().query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity ORDER BY c.relname`,
    );
    tables = found.map((r) => r.table);
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server?.close();
  });

  it('every table with a tenant_id has row-level security on, with the tenant_isolation policy', async () => {
    const { rows } = await db().query<{ table: string }>(
      `SELECT c.table_name AS table FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'sessions'
        ORDER BY 1`,
    );
    assert.ok(rows.length >= 18, `found ${rows.length} tenant tables`);
    for (const { table } of rows) {
      assert.ok(tables.includes(table), `${table} has row-level security`);
      const policies = await db().query('SELECT 1 FROM pg_policies WHERE tablename = $1 AND policyname = $2', [table, 'tenant_isolation']);
      assert.equal(policies.rows.length, 1, `${table} has tenant_isolation`);
    }
    const role = await db().query<{ rolbypassrls: boolean; rolsuper: boolean }>(`SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'knowledge_app'`);
    assert.deepEqual(role.rows[0], { rolbypassrls: false, rolsuper: false });
  });

  it('without a tenant context, every tenant table returns no rows (while the owner sees both tenants)', async () => {
    for (const table of tables) {
      const column = tenantColumn(table);
      // The graph sync deletes outbox rows once applied; there is nothing left there to hide.
      if (table !== 'graph_outbox') {
        for (const t of [a, b]) assert.ok((await count(db(), table, `${column} = $1`, [t.tenantId])) > 0, `${table} has rows of both tenants to hide`);
      }
      assert.equal(await asApp(null, (tx) => count(tx, table)), 0, `${table} without a tenant context`);
    }
  });

  it('without a tenant context, inserts are refused with 42501 and nothing is written', async () => {
    const before = await count(db(), 'documents');
    assert.equal(await errorCode(asApp(null, (tx) => tx.query(`INSERT INTO documents (tenant_id, title) VALUES ($1, 'x')`, [a.tenantId]))), '42501');
    assert.equal(await errorCode(asApp(null, (tx) => tx.query(`INSERT INTO domains (tenant_id, name, path) VALUES ($1, 'x', 'x')`, [a.tenantId]))), '42501');
    assert.equal(
      await errorCode(asApp(null, (tx) => tx.query(`INSERT INTO atoms (tenant_id, atom_type, text_value, canonical) VALUES ($1, 'TextAtom', 'x', 'x')`, [a.tenantId]))),
      '42501',
    );
    assert.equal(await count(db(), 'documents'), before);
    // Updates and deletes find nothing to change.
    assert.equal((await asApp(null, (tx) => tx.query(`UPDATE documents SET title = 'x'`))).rowCount, 0);
    assert.equal((await asApp(null, (tx) => tx.query(`DELETE FROM atoms`))).rowCount, 0);
  });

  it("with tenant A's context, every table returns exactly A's rows", async () => {
    for (const table of tables) {
      const column = tenantColumn(table);
      const owners = await count(db(), table, `${column} = $1`, [a.tenantId]);
      const seen = await asApp(context(a), async (tx) => ({ all: await count(tx, table), foreign: await count(tx, table, `${column} <> $1`, [a.tenantId]) }));
      assert.deepEqual(seen, { all: owners, foreign: 0 }, table);
    }
  });

  it("A's context cannot write B's rows: inserts for B are refused, B's rows are not found, a row cannot move to B", async () => {
    const title = (id: string) => db().query<{ title: string }>('SELECT title FROM documents WHERE id = $1', [id]).then((r) => r.rows[0].title);
    const before = await title(b.documentId);
    const documentsOfB = await count(db(), 'documents', 'tenant_id = $1', [b.tenantId]);
    assert.equal(await errorCode(asApp(context(a), (tx) => tx.query(`INSERT INTO documents (tenant_id, title) VALUES ($1, 'planted')`, [b.tenantId]))), '42501');
    assert.equal(
      await errorCode(asApp(context(a), (tx) => tx.query(`INSERT INTO audit_log (tenant_id, action, resource_type) VALUES ($1, 'UPDATE', 'document')`, [b.tenantId]))),
      '42501',
    );
    assert.equal((await asApp(context(a), (tx) => tx.query(`UPDATE documents SET title = 'owned' WHERE id = $1`, [b.documentId]))).rowCount, 0);
    assert.equal((await asApp(context(a), (tx) => tx.query(`DELETE FROM atoms WHERE id = $1`, [b.atomId]))).rowCount, 0);
    assert.equal(await errorCode(asApp(context(a), (tx) => tx.query(`UPDATE documents SET tenant_id = $2 WHERE id = $1`, [a.documentId, b.tenantId]))), '42501');
    assert.equal(await title(b.documentId), before);
    assert.equal(await count(db(), 'documents', 'tenant_id = $1', [b.tenantId]), documentsOfB);
    assert.equal(await count(db(), 'atoms', 'id = $1 AND deleted_at IS NULL', [b.atomId]), 1);
  });

  for (const persona of ['developer', 'product_owner'] as const) {
    it(`a ${persona} cannot insert documents or atoms (42501), and updates and deletes change nothing`, async () => {
      const ctx = context(a, persona);
      const snapshot = async () =>
        JSON.stringify([
          (await db().query('SELECT id, title, updated_at FROM documents WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows,
          (await db().query('SELECT id, canonical, review_status, deleted_at FROM atoms WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows,
          (await db().query('SELECT id, block_id, start_offset FROM annotations WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows,
        ]);
      const before = await snapshot();
      assert.equal(await errorCode(asApp(ctx, (tx) => tx.query(`INSERT INTO documents (tenant_id, title) VALUES ($1, 'x')`, [a.tenantId]))), '42501');
      assert.equal(
        await errorCode(asApp(ctx, (tx) => tx.query(`INSERT INTO atoms (tenant_id, atom_type, text_value, canonical) VALUES ($1, 'TextAtom', 'x', 'x')`, [a.tenantId]))),
        '42501',
      );
      // The restrictive UPDATE/DELETE policies hide the rows from the statement: nothing matches.
      assert.equal((await asApp(ctx, (tx) => tx.query(`UPDATE documents SET title = 'x' WHERE tenant_id = $1`, [a.tenantId]))).rowCount, 0);
      assert.equal((await asApp(ctx, (tx) => tx.query(`UPDATE atoms SET review_status = 'rejected' WHERE tenant_id = $1`, [a.tenantId]))).rowCount, 0);
      assert.equal((await asApp(ctx, (tx) => tx.query(`DELETE FROM annotations WHERE tenant_id = $1`, [a.tenantId]))).rowCount, 0);
      assert.equal(await snapshot(), before);
      // ... but reads them all.
      assert.equal(await asApp(ctx, (tx) => count(tx, 'documents')), await count(db(), 'documents', 'tenant_id = $1', [a.tenantId]));
      assert.equal(await asApp(ctx, (tx) => count(tx, 'atoms')), await count(db(), 'atoms', 'tenant_id = $1', [a.tenantId]));
    });
  }

  it('a developer links code to a rule; a product owner cannot insert (42501), delete or change code references', async () => {
    const refs = async () => JSON.stringify((await db().query('SELECT id, ref FROM molecule_code_refs WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows);
    const molecule = (await db().query<{ id: string }>('SELECT id FROM molecule_metadata WHERE tenant_id = $1 LIMIT 1', [a.tenantId])).rows[0].id;
    const insert = (tx: Sql) => tx.query(`INSERT INTO molecule_code_refs (tenant_id, molecule_id, ref) VALUES ($1, $2, 'src/other.ts')`, [a.tenantId, molecule]);
    const before = await refs();
    const owner = context(a, 'product_owner');
    assert.equal(await errorCode(asApp(owner, insert)), '42501');
    assert.equal((await asApp(owner, (tx) => tx.query('DELETE FROM molecule_code_refs'))).rowCount, 0);
    assert.equal(await refs(), before);
    const added = await asApp(context(a, 'developer'), insert);
    assert.equal(added.rowCount, 1);
    await db().query(`DELETE FROM molecule_code_refs WHERE ref = 'src/other.ts'`);
  });

  it("a product owner cannot rewrite a developer's code reference", async () => {
    const before = JSON.stringify((await db().query('SELECT id, ref FROM molecule_code_refs WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows);
    const changed = await asApp(context(a, 'product_owner'), (tx) => tx.query(`UPDATE molecule_code_refs SET ref = 'https://evil.example/x' WHERE tenant_id = $1`, [a.tenantId]));
    const after = JSON.stringify((await db().query('SELECT id, ref FROM molecule_code_refs WHERE tenant_id = $1 ORDER BY id', [a.tenantId])).rows);
    if (changed.rowCount) await db().query(`UPDATE molecule_code_refs SET ref = 'src/payroll.ts#L10' WHERE tenant_id = $1`, [a.tenantId]);
    assert.equal(changed.rowCount, 0);
    assert.equal(after, before);
  });

  it('a domain expert can insert and update documents and atoms of their tenant', async () => {
    const created = await asApp(context(a), async (tx) => {
      const doc = await tx.query<{ id: string }>(`INSERT INTO documents (tenant_id, title) VALUES ($1, 'by an expert') RETURNING id`, [a.tenantId]);
      const atom = await tx.query<{ id: string }>(
        `INSERT INTO atoms (tenant_id, atom_type, text_value, canonical) VALUES ($1, 'TextAtom', 'x', 'x') RETURNING id`,
        [a.tenantId],
      );
      const updated = await tx.query(`UPDATE atoms SET review_status = 'confirmed' WHERE id = $1`, [atom.rows[0].id]);
      assert.equal(updated.rowCount, 1);
      return { documentId: doc.rows[0].id, atomId: atom.rows[0].id };
    });
    assert.equal(await count(db(), 'documents', 'id = $1', [created.documentId]), 1);
    assert.equal(await count(db(), 'atoms', `id = $1 AND review_status = 'confirmed'`, [created.atomId]), 1);
    // Clean up as the owner, so the other tests' counts stay simple.
    await db().query('DELETE FROM audit_log WHERE resource_id = ANY($1::uuid[])', [[created.documentId, created.atomId]]);
    await db().query('DELETE FROM atoms WHERE id = $1', [created.atomId]);
    await db().query('DELETE FROM documents WHERE id = $1', [created.documentId]);
  });

  it('the application role cannot read accounts or sessions at all (42501), whatever the context', async () => {
    for (const table of ['accounts', 'sessions']) {
      assert.equal(await errorCode(asApp(null, (tx) => count(tx, table))), '42501', `${table} without a context`);
      assert.equal(await errorCode(asApp(context(a), (tx) => count(tx, table))), '42501', `${table} in A's context`);
    }
  });

  it("the context ends with its transaction: the next one on the same connection sees nothing of A's", async () => {
    assert.ok((await asApp(context(a), (tx) => count(tx, 'documents'))) > 0, "A's documents inside the context");
    assert.equal(await asApp(null, (tx) => count(tx, 'documents')), 0);
    const settings = await db().query<{ tenant: string | null; role: string }>(`SELECT current_tenant_id()::text AS tenant, current_user AS role`);
    assert.equal(settings.rows[0].tenant, null);
    assert.notEqual(settings.rows[0].role, 'knowledge_app');
  });

  it('the owner connection (background workers) still sees every tenant', async () => {
    for (const table of ['documents', 'blocks', 'atoms', 'annotations', 'graph_nodes', 'knowledge_events']) {
      const { rows } = await db().query<{ n: string }>(`SELECT count(DISTINCT tenant_id) AS n FROM ${table} WHERE tenant_id = ANY($1::uuid[])`, [[a.tenantId, b.tenantId]]);
      assert.equal(Number(rows[0].n), 2, table);
    }
  });
});
