/**
 * The processes of the big-document suite (bench/bigdoc.ts), which kills them with SIGKILL and
 * starts them again on the same data:
 *   - the server child (bench/serve-bigdoc.ts through ServerProcess) on a fixed port, whose pid
 *     file lets a child that never became ready be killed by its id;
 *   - on PostgreSQL the production worker (support/workerProcess.ts) with Neo4j as its graph.
 */
import fs from 'node:fs';
import net from 'node:net';
import { ServerProcess } from './serverProcess';

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
