/**
 * Fresh databases for tests. KOS_TEST_DB=postgres (the default when TEST_DATABASE_URL is set)
 * creates a new database on the real server for each call and drops it afterwards;
 * KOS_TEST_DB=pglite uses an in-memory PGlite. A missing server fails the test, never skips it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../../server/db/client';
import { migrate } from '../../server/db/migrate';

export type TestDbKind = 'postgres' | 'pglite';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testDbKind(): TestDbKind {
  const kind = process.env.KOS_TEST_DB ?? 'pglite';
  if (kind !== 'postgres' && kind !== 'pglite') throw new Error(`KOS_TEST_DB must be postgres or pglite, not ${kind}`);
  return kind;
}

/** A new empty Postgres database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kos_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestDatabase {
  db: Database;
  kind: TestDbKind;
  dispose(): Promise<void>;
}

export async function openTestDatabase(kind: TestDbKind = testDbKind(), options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openPglite();
    if (options.migrate !== false) await migrate(db);
    return { db, kind, dispose: () => db.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const db = openPostgres(url);
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    kind,
    async dispose() {
      await db.close();
      await drop();
    },
  };
}
