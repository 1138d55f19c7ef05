/**
 * The child-process half of a benchmarked collaboration server: records every update the server
 * applies (and, for ours, when it became durable and when it reached the `blocks` rows) and
 * answers the parent's commands over IPC. Both servers under test run through this same code.
 */
import * as Y from 'yjs';
import { Request, type AppliedTuple, type Command, type ReadyMessage } from './serverProtocol';
import { loopDelayMonitor, loopDelayP99Ms, wallNow } from './stats';

/** What a server under test must offer the harness. */
export interface BenchServer {
  ready: Omit<ReadyMessage, 'type'>;
  createDocument(): Promise<string>;
  /** Resolves when the server is idle: logs drained, rooms of closed clients unloaded. */
  settle(): Promise<void>;
  logStats(): { batches: number; updates: number };
  close(): Promise<void>;
}

interface Applied {
  client: number;
  from: number;
  to: number;
  appliedAt: number;
  durableAt: number;
  blocksAt: number;
}

/**
 * Applied updates and their milestones. `blocksAt` is the time of the first `blocks.changed`
 * of the document published by a projection run that read the document after the update.
 */
export class UpdateRecorder {
  private applied: Applied[] = [];
  /** Per document: applied, not yet read by a projection run. */
  private readonly unread = new Map<string, Applied[]>();
  /** Per document: read by the projection run in flight, waiting for its `blocks.changed`. */
  private readonly inRun = new Map<string, Applied[]>();
  undurable = 0;

  /** Records an update the server applied to a document; returns its entries for `durable`. */
  record(documentId: string, update: Uint8Array, trackBlocks: boolean): Applied[] {
    const appliedAt = wallNow();
    const { from, to } = Y.parseUpdateMeta(update);
    const entries: Applied[] = [];
    for (const [client, end] of to) {
      const start = from.get(client) ?? 0;
      if (end <= start) continue;
      entries.push({ client, from: start, to: end, appliedAt, durableAt: -1, blocksAt: -1 });
    }
    this.applied.push(...entries);
    if (trackBlocks) {
      const list = this.unread.get(documentId) ?? [];
      list.push(...entries);
      this.unread.set(documentId, list);
    }
    return entries;
  }

  /** An append of these entries started; `durable` ends it. */
  appending(): void {
    this.undurable += 1;
  }

  durable(entries: Applied[]): void {
    this.undurable -= 1;
    const at = wallNow();
    for (const entry of entries) entry.durableAt = at;
  }

  /** The projection took its snapshot of the document now. */
  projectionRead(documentId: string): void {
    const unread = this.unread.get(documentId);
    if (!unread || unread.length === 0) return;
    const inRun = this.inRun.get(documentId) ?? [];
    inRun.push(...unread);
    this.inRun.set(documentId, inRun);
    this.unread.set(documentId, []);
  }

  blocksChanged(documentId: string): void {
    const at = wallNow();
    for (const entry of this.inRun.get(documentId) ?? []) entry.blocksAt = at;
    this.inRun.set(documentId, []);
  }

  unprojected(): number {
    let count = 0;
    for (const list of [...this.unread.values(), ...this.inRun.values()]) count += list.length;
    return count;
  }

  drainRecords(): AppliedTuple[] {
    const records = this.applied.map((e): AppliedTuple => [e.client, e.from, e.to, e.appliedAt, e.durableAt, e.blocksAt]);
    this.applied = [];
    return records;
  }
}

/** Starts the server, announces it to the parent and serves commands until `shutdown`. */
export async function serveOverIpc(start: (recorder: UpdateRecorder) => Promise<BenchServer>): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('run this file through bench/index.ts (it needs an IPC channel)');
  const recorder = new UpdateRecorder();
  const server = await start(recorder);
  const loopDelay = loopDelayMonitor();
  loopDelay.enable();
  let cpuMark = process.cpuUsage();
  let timeMark = wallNow();

  const run = async (command: Command): Promise<unknown> => {
    switch (command.command) {
      case 'create-documents': {
        const documentIds: string[] = [];
        for (let i = 0; i < command.count; i++) documentIds.push(await server.createDocument());
        return { documentIds };
      }
      case 'clock':
        return { wall: wallNow() };
      case 'mark': {
        const cpu = process.cpuUsage(cpuMark);
        const now = wallNow();
        const sinceLastMark = {
          cpuMs: (cpu.user + cpu.system) / 1000,
          elapsedMs: now - timeMark,
          loopDelayP99Ms: loopDelayP99Ms(loopDelay),
        };
        cpuMark = process.cpuUsage();
        timeMark = now;
        loopDelay.reset();
        return sinceLastMark;
      }
      case 'report': {
        const stats = server.logStats();
        return { applied: recorder.drainRecords(), logBatches: stats.batches, logUpdates: stats.updates };
      }
      case 'pending':
        return { undurable: recorder.undurable, unprojected: recorder.unprojected() };
      case 'memory': {
        collectGarbage();
        const usage = process.memoryUsage();
        return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
      }
      case 'settle':
        await server.settle();
        return {};
      case 'shutdown':
        loopDelay.disable();
        await server.close();
        setImmediate(() => process.exit(0));
        return {};
    }
  };

  process.on('message', (message: unknown) => {
    const parsed = Request.safeParse(message);
    if (!parsed.success) return;
    const { id, command } = parsed.data;
    run(command).then(
      (result) => send({ type: 'reply', id, ok: true, result }),
      (error: unknown) => send({ type: 'reply', id, ok: false, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
  // The parent died: do not linger holding a port and a database connection.
  process.on('disconnect', () => void server.close().finally(() => process.exit(1)));
  send({ type: 'ready', ...server.ready });
}

function collectGarbage(): void {
  const gc = globalThis.gc;
  if (!gc) throw new Error('start the server child with --expose-gc');
  // Twice: the first pass can leave finalizer-held objects for the second.
  gc();
  gc();
}
