/**
 * The parent's handle on a server under test running in a child process (see serverChild.ts):
 * forks it with tsx and --expose-gc, waits for `ready`, sends commands, measures the clock offset.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ClockResult, EmptyResult, ReadyMessage, Reply, type Command } from './serverProtocol';
import { wallNow } from './stats';

const REQUEST_TIMEOUT_MS = 60_000;

/** BENCH_CPU_PROF_DIR=dir writes a V8 CPU profile of every server child there (for diagnosis). */
function profilerFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export class ServerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited = false;
  /** Child clock minus parent clock, in ms (see measureClockOffset). */
  clockOffsetMs = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: ReadyMessage,
  ) {
    child.on('message', (message: unknown) => {
      const reply = Reply.safeParse(message);
      if (!reply.success) return;
      const waiter = this.waiting.get(reply.data.id);
      if (!waiter) return;
      this.waiting.delete(reply.data.id);
      if (reply.data.ok) waiter.resolve(reply.data.result);
      else waiter.reject(new Error(`server child: ${reply.data.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`server child exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Forks `bench/<entry>` and resolves once it listens. */
  static async start(entry: string, env: Record<string, string | undefined> = {}): Promise<ServerProcess> {
    const file = fileURLToPath(new URL(`../${entry}`, import.meta.url));
    const child = fork(file, [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...profilerFlags()],
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      // Child stdout (pino logs) goes to our stderr: our stdout carries only the JSON result.
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${entry} did not start within 60 s`)), 60_000);
      child.on('message', (message: unknown) => {
        const parsed = ReadyMessage.safeParse(message);
        if (!parsed.success) return;
        clearTimeout(timer);
        resolve(parsed.data);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited with ${code} before it was ready`));
      });
    });
    const server = new ServerProcess(child, ready);
    await server.measureClockOffset();
    return server;
  }

  async request<S extends z.ZodType>(command: Command, schema: S): Promise<z.infer<S>> {
    if (this.exited) throw new Error('server child is not running');
    const id = this.nextId++;
    const result = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`server child did not answer ${command.command} within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.child.send({ id, command });
    });
    return schema.parse(result);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Converts a time taken in the child to the parent's clock. */
  toParentClock(childTime: number): number {
    return childTime - this.clockOffsetMs;
  }

  /**
   * Both processes read the same system clock, but their `performance.timeOrigin`s may differ by
   * a fraction of a millisecond; estimate it from the fastest of a few IPC round trips.
   */
  private async measureClockOffset(): Promise<void> {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 25; i++) {
      const sent = wallNow();
      const { wall } = await this.request({ command: 'clock' }, ClockResult);
      const received = wallNow();
      if (received - sent < best.rtt) best = { rtt: received - sent, offset: wall - (sent + received) / 2 };
    }
    this.clockOffsetMs = best.offset;
  }

  /** Asks the child to close everything and exit; kills it if it does not within 20 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await Promise.race([
      this.request({ command: 'shutdown' }, EmptyResult).then(() => exited),
      new Promise((resolve) => setTimeout(resolve, 20_000)),
    ]).catch(() => {});
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
