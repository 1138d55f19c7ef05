import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { MIGRATIONS_DIR, migrate, splitStatements } from '../../server/db/migrate';
import { openTestDatabase } from '../support/db';

const ALL = fs.readdirSync(MIGRATIONS_DIR).filter((name) => /^\d{4}_/.test(name)).sort();

describe('migrator', () => {
  it('creates every table of seeds 002 and 000 plus the Yjs log, with tenant_id on each', async () => {
    const { db, dispose } = await openTestDatabase(undefined, { migrate: false });
    assert.equal(ALL[0], '0001_init');
    assert.deepEqual(await migrate(db), ALL, 'every migration, in order');
    const { rows } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema = 'public'`,
    );
    const tables = rows.map((row) => row.table_name).sort();
    for (const table of ['annotations', 'atoms', 'audit_log', 'blocks', 'documents', 'domains', 'knowledge_events',
      'molecule_metadata', 'sync_state', 'yjs_snapshots', 'yjs_updates', 'users', 'block_extractions', 'extraction_status',
      'graph_nodes', 'graph_edges']) {
      assert.ok(tables.includes(table), `${table} has tenant_id`);
    }
    await dispose();
  });

  it('running again (or concurrently) applies nothing twice', async () => {
    const { db, dispose } = await openTestDatabase(undefined, { migrate: false });
    const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    assert.deepEqual(results.flat(), ALL, 'each migration applied by exactly one of three concurrent runs');
    assert.deepEqual(await migrate(db), []);
    await dispose();
  });

  it('splits SQL on semicolons outside strings, comments and dollar quotes', () => {
    const sql = `CREATE TABLE a (x text DEFAULT ';'); -- a; comment\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;`;
    assert.deepEqual(splitStatements(sql), [
      "CREATE TABLE a (x text DEFAULT ';')",
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql',
    ]);
  });
});
