/**
 * The production worker (`server/main.ts --role=worker`: extraction queue + graph sync) beside a
 * collab-role server under test, on the same PostgreSQL database, hearing it over Redis.
 * The graph lives in that database's tables unless `env` names NEO4J_URI (the big-document suite).
 * It runs at nice 10: on this one shared machine that stands in for what production gives it,
 * CPU of its own (another host or container), so background work does not starve the relay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { wallNow } from './stats';

const WORKER_NICENESS = 10;
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** BENCH_CPU_PROF_DIR=dir profiles the worker too (see serverProcess.ts). */
function profilerFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export class WorkerProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** wallNow() when it printed KOS_WORKER_READY. */
    readonly readyAt: number,
  ) {}

  /** `env` adds to the worker's environment (NEO4J_URI …); a worker that never becomes ready is killed. */
  static async start(databaseUrl: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const main = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', ...profilerFlags(), main, '--role=worker'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        ...env,
      },
      // Our stdout carries only the JSON result: the worker's goes to our stderr.
      stdio: ['ignore', 'pipe', 2],
    });
    if (child.pid !== undefined) os.setPriority(child.pid, WORKER_NICENESS);
    try {
      const readyAt = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the worker did not start within 60 s')), 60_000);
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
      return new WorkerProcess(child, readyAt);
    } catch (error) {
      child.kill('SIGKILL');
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
