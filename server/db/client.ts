/**
 * One small SQL interface over two engines: node-postgres when DATABASE_URL is set,
 * PGlite (Postgres compiled to WASM, data under ./data) otherwise. Callers never branch on it.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import fs from 'node:fs';
import { AdmissionGate, type Priority } from './admission';

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
  /**
   * The same database for background work, which yields to everything else: on PGlite its
   * statements and transactions are admitted after waiting normal ones, 'idle' (graph sync) after
   * 'background' (extraction) (admission.ts); on PostgreSQL both share a small pool of their own,
   * so they never hold the connections requests need.
   */
  background(priority?: 'background' | 'idle'): Database;
  close(): Promise<void>;
}

/** The role request handlers' queries run as: no BYPASSRLS (migration 0005 creates it). */
export const APP_ROLE = 'knowledge_app';

const SETTING_NAME = /^app\.[a-z_]+$/;

/** The settings' names, each checked: names are spliced into SQL, values never are. */
function settingNames(settings: Record<string, string>): string[] {
  return Object.keys(settings).map((name) => {
    if (!SETTING_NAME.test(name)) throw new Error(`not a setting name: ${name}`);
    return name;
  });
}

/** `SELECT set_config(...), ...` with the values as parameters (PGlite's transactions). */
function setConfigs(settings: Record<string, string>): string {
  return `SELECT ${settingNames(settings).map((name, index) => `set_config('${name}', $${index + 1}, true)`).join(', ')}`;
}

/**
 * `SET LOCAL name = value; ...` for the same settings: utility statements, not planned, so on
 * PostgreSQL they cost less than the SELECT above (document list as knowledge_app: 1.036× the
 * owner's time against 1.070× with the SELECT, 3,000 interleaved rounds).
 */
function setLocals(settings: Record<string, string>, escape: (value: string) => string): string {
  return settingNames(settings).map((name) => `SET LOCAL ${name} = ${escape(settings[name])}`).join('; ');
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
  const result = await client.query({ name: statementName(text, params), text, values: params });
  return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
}

const statementNames = new Map<string, string>();

/**
 * The name a parameterised statement is prepared under (on each connection, at its first use):
 * later runs skip parsing and, once PostgreSQL settles on a generic plan, planning. Typing into
 * 20 documents, the hottest statements had spent as long planning as executing
 * (pg_stat_statements: 3.0 s planning, 2.3 s executing); prepared, all statements together
 * planned for 1.0 s and executed for 4.0 s. Statement texts must come from a bounded set:
 * values go in parameters, never into the text. A statement without parameters is not named.
 */
export function statementName(text: string, params: unknown[] | undefined): string | undefined {
  if (!params?.length) return undefined;
  let name = statementNames.get(text);
  if (!name) {
    name = `k${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size >= 2000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

export function openPostgres(url: string): Database {
  const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  // Request handlers' connections: each becomes APP_ROLE once (SET ROLE, checked before first
  // use), so a transaction pays one round trip for BEGIN and its settings, not a role switch.
  let appPool: pg.Pool | null = null;
  let backgroundPool: pg.Pool | null = null;
  const asApp = new WeakSet<pg.PoolClient>();
  const database: Database = {
    kind: 'postgres',
    query: (text, params) => pgQuery(pool, text, params),
    async exec(text) {
      await pool.query(text);
    },
    tx: (fn) => inTransaction(pool, 'BEGIN', fn),
    background() {
      if (!backgroundPool) {
        backgroundPool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_BACKGROUND_POOL_SIZE ?? 3) });
        backgroundPool.on('error', () => {});
      }
      const background = backgroundPool;
      return { ...database, query: (text, params) => pgQuery(background, text, params), tx: (fn) => inTransaction(background, 'BEGIN', fn),
        background: () => database.background(), close: async () => {} };
    },
    async appTx(settings, fn) {
      if (!appPool) {
        appPool = new pg.Pool({ connectionString: url, max });
        appPool.on('error', () => {});
      }
      return inTransaction(appPool, (client) => `BEGIN; ${setLocals(settings, (value) => client.escapeLiteral(value))}`, fn, async (client) => {
        if (asApp.has(client)) return;
        await client.query(`SET ROLE ${APP_ROLE}`);
        asApp.add(client);
      });
    },
    async close() {
      await pool.end();
      await appPool?.end();
      await backgroundPool?.end();
    },
  };
  return database;
}

interface ThreadReply {
  ready?: true;
  id?: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string } & Record<string, unknown>;
}

/**
 * PGlite in a worker thread of its own (server/db/pgliteThread.mjs): its SQL runs in WASM and
 * blocks the thread it runs on, which would otherwise be the relay's. Each call is a message;
 * a transaction holds the database until it ends, as PGlite's transaction() does in-process.
 * dataDir undefined = in memory (tests). The thread keeps the process alive only while a call
 * or a transaction is open.
 */
export async function openPglite(dataDir?: string, { waitLimitMs = Number(process.env.PGLITE_WAIT_LIMIT_MS ?? 10_000) } = {}): Promise<Database> {
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const thread = new Worker(new URL('./pgliteThread.mjs', import.meta.url), { workerData: { dataDir }, execArgv: [] });
  let nextId = 1;
  let stopped: Error | null = null;
  const waiting = new Map<number, { resolve: (reply: ThreadReply) => void; reject: (error: Error) => void }>();
  let busy = 0; // calls in flight + open transactions
  const hold = (delta: number) => {
    busy += delta;
    if (busy > 0) thread.ref();
    else thread.unref();
  };
  await new Promise<void>((resolve, reject) => {
    thread.once('message', (reply: ThreadReply) => (reply.ready ? resolve() : reject(new Error('PGlite did not start'))));
    thread.once('error', reject);
  });
  thread.unref();
  thread.on('message', (reply: ThreadReply) => {
    const waiter = reply.id === undefined ? undefined : waiting.get(reply.id);
    if (!waiter || reply.id === undefined) return;
    waiting.delete(reply.id);
    if (reply.error) waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
    else waiter.resolve(reply);
  });
  const stop = (error: Error) => {
    stopped ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  thread.on('error', stop);
  thread.on('exit', () => stop(new Error('the PGlite thread stopped')));

  const call = (message: Record<string, unknown>): Promise<ThreadReply> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    hold(1);
    return new Promise<ThreadReply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      thread.postMessage({ id, ...message });
    }).finally(() => hold(-1));
  };
  // One unit of work at a time, background work after the rest (admission.ts).
  const gate = new AdmissionGate();
  const limitOf = (priority: Priority) => (priority === 'normal' ? waitLimitMs : undefined);
  const sql = (tx?: number, priority: Priority = 'normal'): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      const send = () => call({ op: 'query', text, params, tx });
      const reply = await (tx === undefined ? gate.run(priority, send, limitOf(priority)) : send());
      const rows = (reply.rows ?? []) as T[];
      return { rows, rowCount: reply.affectedRows ?? rows.length };
    },
  });
  let nextTx = 1;
  const transaction = <T>(priority: Priority, fn: (tx: Sql) => Promise<T>, prelude?: (tx: Sql) => Promise<unknown>): Promise<T> =>
    gate.run(priority, () => runTransaction(fn, prelude), limitOf(priority));
  const runTransaction = async <T>(fn: (tx: Sql) => Promise<T>, prelude?: (tx: Sql) => Promise<unknown>): Promise<T> => {
    const tx = nextTx++;
    await call({ op: 'begin', tx });
    hold(1);
    try {
      const handle = sql(tx);
      await prelude?.(handle);
      const result = await fn(handle);
      await call({ op: 'end', tx, commit: true });
      return result;
    } catch (error) {
      await call({ op: 'end', tx, commit: false }).catch(() => {});
      throw error;
    } finally {
      hold(-1);
    }
  };
  const view = (priority: Priority): Database => ({
    kind: 'pglite',
    query: sql(undefined, priority).query,
    exec: (text) => database.exec(text),
    tx: (fn) => transaction(priority, fn),
    appTx: (settings, fn) => database.appTx(settings, fn),
    background: (level = 'background') => views[level],
    close: async () => {},
  });
  const views = { background: view('background'), idle: view('idle') };
  const database: Database = {
    kind: 'pglite',
    query: sql().query,
    async exec(text) {
      await gate.run('normal', () => call({ op: 'exec', text }));
    },
    tx: (fn) => transaction('normal', fn),
    // One connection for everything: the role is switched for the transaction only.
    appTx: (settings, fn) =>
      transaction('normal', fn, (tx) =>
        tx.query(`${setConfigs(settings)}, set_config('role', '${APP_ROLE}', true)`, Object.values(settings)),
      ),
    background: (level = 'background') => views[level],
    async close() {
      if (stopped) return;
      hold(1);
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      thread.postMessage({ op: 'close' });
      await exited;
    },
  };
  return database;
}

export async function openDatabase(
  env: { DATABASE_URL?: string; DATA_DIR?: string } = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR },
): Promise<Database> {
  if (env.DATABASE_URL) return openPostgres(env.DATABASE_URL);
  return openPglite(path.resolve(env.DATA_DIR ?? './data', 'pglite'));
}
