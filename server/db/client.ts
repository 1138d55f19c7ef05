/**
 * One small SQL interface over two engines: node-postgres when DATABASE_URL is set,
 * PGlite (Postgres compiled to WASM, data under ./data) otherwise. Callers never branch on it.
 */
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import path from 'node:path';
import fs from 'node:fs';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  tx<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * A transaction as the role APP_ROLE (subject to row-level security) with these settings
   * (`app.tenant_id` …) set for the transaction only. See server/db/tenant.ts.
   */
  appTx<T>(settings: Record<string, string>, fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The role request handlers' queries run as: no BYPASSRLS (migration 0005 creates it). */
export const APP_ROLE = 'knowledge_app';

const SETTING_NAME = /^app\.[a-z_]+$/;

/** `SELECT set_config(...), ...` with the values as escaped literals, to ride along with BEGIN. */
function setConfigs(settings: Record<string, string>, escape: (value: string, index: number) => string): string {
  const calls = Object.entries(settings).map(([name, value], index) => {
    if (!SETTING_NAME.test(name)) throw new Error(`not a setting name: ${name}`);
    return `set_config('${name}', ${escape(value, index)}, true)`;
  });
  return `SELECT ${calls.join(', ')}`;
}

/** One transaction on a pooled client: `prepare` (once per use), `begin`, fn, COMMIT or ROLLBACK. */
async function inTransaction<T>(
  pool: pg.Pool,
  begin: string | ((client: pg.PoolClient) => string),
  fn: (tx: Sql) => Promise<T>,
  prepare?: (client: pg.PoolClient) => Promise<void>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await prepare?.(client);
    await client.query(typeof begin === 'string' ? begin : begin(client));
    const result = await fn({ query: (text, params) => pgQuery(client, text, params) });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function pgQuery<T>(client: pg.Pool | pg.PoolClient, text: string, params?: unknown[]) {
  const result = await client.query(text, params);
  return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
}

export function openPostgres(url: string): Database {
  const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  // Request handlers' connections: each becomes APP_ROLE once (SET ROLE, checked before first
  // use), so a transaction pays one round trip for BEGIN and its settings, not a role switch.
  let appPool: pg.Pool | null = null;
  const asApp = new WeakSet<pg.PoolClient>();
  return {
    kind: 'postgres',
    query: (text, params) => pgQuery(pool, text, params),
    async exec(text) {
      await pool.query(text);
    },
    tx: (fn) => inTransaction(pool, 'BEGIN', fn),
    async appTx(settings, fn) {
      if (!appPool) {
        appPool = new pg.Pool({ connectionString: url, max });
        appPool.on('error', () => {});
      }
      return inTransaction(appPool, (client) => `BEGIN; ${setConfigs(settings, (value) => client.escapeLiteral(value))}`, fn, async (client) => {
        if (asApp.has(client)) return;
        await client.query(`SET ROLE ${APP_ROLE}`);
        asApp.add(client);
      });
    },
    async close() {
      await pool.end();
      await appPool?.end();
    },
  };
}

/** dataDir undefined = in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const db = await PGlite.create(dataDir);
  const wrap = (q: Pick<PGlite, 'query'>): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      const result = await q.query<T>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  });
  const base = wrap(db);
  return {
    kind: 'pglite',
    query: base.query,
    async exec(text) {
      await db.exec(text);
    },
    tx: (fn) => db.transaction((tx) => fn(wrap(tx))),
    // One connection for everything: the role is switched for the transaction only.
    appTx: (settings, fn) =>
      db.transaction(async (tx) => {
        await tx.query(`${setConfigs(settings, (_value, index) => `$${index + 1}`)}, set_config('role', '${APP_ROLE}', true)`, Object.values(settings));
        return fn(wrap(tx));
      }),
    close: () => db.close(),
  };
}

export async function openDatabase(
  env: { DATABASE_URL?: string; DATA_DIR?: string } = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR },
): Promise<Database> {
  if (env.DATABASE_URL) return openPostgres(env.DATABASE_URL);
  return openPglite(path.resolve(env.DATA_DIR ?? './data', 'pglite'));
}
