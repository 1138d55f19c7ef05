/** Runs the real server entry point (server/main.ts) as a child process, for crash tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/client';
import { migrate } from '../../server/db/migrate';
import { ensureLocalIdentity } from '../../server/db/repos/tenants';
import { DocumentRepository } from '../../server/db/repos/documents';
import { createSession } from '../../server/auth/accounts';
import { SESSION_COOKIE } from '../../server/http/cookies';
import { createPostgresDatabase, testDbKind } from './db';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Milliseconds from spawning the process to its KOS_LISTENING line. */
  listenedAfterMs: number;
}

/** `echo` copies what the server logs once it listens (warnings and errors) to this process's stderr. */
export async function spawnServer(
  env: Record<string, string | undefined>,
  role: 'collab' | 'all' = 'collab',
  { echo = false, args = [] }: { echo?: boolean; args?: string[] } = {},
): Promise<ServerProcess> {
  const spawned = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', `--role=${role}`, '--port=0', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a server that never started must not outlive the test run
      reject(new Error(`server did not start in 60 s\n${stderr}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /KOS_LISTENING (\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}\n${stderr}`));
    });
  });
  if (echo) {
    const copy = (chunk: Buffer) => process.stderr.write(chunk.toString().replace(/^(?=.)/gm, '[server] '));
    child.stdout?.on('data', copy);
    child.stderr?.on('data', copy);
  }
  const listenedAfterMs = Date.now() - spawned;
  return {
    child,
    url,
    listenedAfterMs,
    wsUrl: `${url.replace('http', 'ws')}/collab`,
    kill(signal = 'SIGKILL') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}

/** A document and a session cookie of the local user, written before the server opens the database. */
export async function createDocumentBeforeStart(env: { DATABASE_URL?: string; DATA_DIR?: string }): Promise<{ documentId: string; cookie: string }> {
  const db = await openDatabase(env);
  await migrate(db);
  const { tenant, user } = await ensureLocalIdentity(db);
  const document = await DocumentRepository.create(db, tenant.id, {});
  const cookie = `${SESSION_COOKIE}=${await createSession(db, user.accountId, tenant.id)}`;
  await db.close();
  return { documentId: document.id, cookie };
}

/** Fresh data for a spawned server on the database under test (KOS_TEST_DB), and what removes it. */
export async function freshServerEnvironment(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (testDbKind() === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    return { env: { DATABASE_URL: url }, cleanup: drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-server-'));
  return { env: { DATABASE_URL: '', DATA_DIR: dir }, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}
