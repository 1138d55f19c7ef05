/**
 * The processes of the big-document suite (bench/bigdoc.ts), which kills them with SIGKILL and
 * starts them again on the same data:
 *   - the server child (bench/serve-bigdoc.ts through ServerProcess) on a fixed port, whose pid
 *     file lets a child that never became ready be killed by its id;
 *   - on PostgreSQL the production worker (`server/main.ts --role=worker`) with Neo4j as its
 *     graph, at nice 10 as in support/workerProcess.ts (which has no Neo4j).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ServerProcess } from './serverProcess';
import { wallNow } from './stats';

const WORKER_NICENESS = 10;
const WORKER_READY_TIMEOUT_MS = 60_000;

/** A free TCP port of 127.0.0.1, for a server that must listen on the same one after a restart. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/** True once something accepts TCP connections on the port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts bench/serve-bigdoc.ts; if it never becomes ready, kills it (by the pid it wrote) and rethrows. */
export async function startServerChild(env: Record<string, string>, pidFile: string): Promise<ServerProcess> {
  fs.rmSync(pidFile, { force: true });
  try {
    return await ServerProcess.start('serve-bigdoc.ts', { ...env, BENCH_BIGDOC_PID_FILE: pidFile });
  } catch (error) {
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : NaN);
    if (Number.isInteger(pid) && pid > 0) killHard(pid);
    throw error;
  }
}

/** SIGKILL to one process by id; no error if it is already gone. */
export function killHard(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already exited
  }
}

/** Resolves once the process is gone (or after 10 s). */
export async function waitForExit(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface WorkerEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  NEO4J_URI: string;
  NEO4J_USER: string;
  NEO4J_PASSWORD: string;
}

export class BigdocWorker {
  private constructor(
    private readonly child: ChildProcess,
    /** wallNow() when it printed KOS_WORKER_READY. */
    readonly readyAt: number,
  ) {}

  static async start(env: WorkerEnv): Promise<BigdocWorker> {
    const main = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--role=worker'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
      // Our stdout carries only the JSON result: the worker's goes to our stderr.
      stdio: ['ignore', 'pipe', 2],
    });
    if (child.pid !== undefined) os.setPriority(child.pid, WORKER_NICENESS);
    try {
      const readyAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the worker did not start within ${WORKER_READY_TIMEOUT_MS / 1000} s`)), WORKER_READY_TIMEOUT_MS);
        let stdout = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (!stdout.includes('KOS_WORKER_READY')) return;
          clearTimeout(timer);
          child.stdout?.removeAllListeners('data');
          child.stdout?.pipe(process.stderr);
          resolve(wallNow());
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`the worker exited (${code ?? signal}) before it was ready`));
        });
      });
      return new BigdocWorker(child, readyAt);
    } catch (error) {
      killHard(child.pid);
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM (the worker finishes its job and closes), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Resident set size of a process in bytes (Linux /proc), or null once it is gone. */
export function rssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
