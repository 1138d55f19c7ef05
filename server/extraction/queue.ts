/**
 * The durable extraction queue, on pg-boss (PostgreSQL; on the embedded default the same
 * pg-boss runs over PGlite: it reaches either database through the project's Database).
 * One queue, `extract`, with the `short` policy keyed by document: at most one job waits per
 * document, so a burst of edits collapses into one job (debounce). One worker per process runs
 * jobs one at a time; across processes, pipeline.ts serialises work on a block with a
 * transaction lock and skips blocks already extracted, so a document extracted twice at once
 * (or a job re-run after a crash) stores everything once. (`stately` would also cap running
 * jobs per document, but after a crash its stale running job makes every fetch fail on a unique
 * index until it expires, stalling all documents.) Failed jobs retry with exponential back-off,
 * then stay failed with their error, which extraction_status shows in the editor.
 */
import PgBoss from 'pg-boss';
import type { Database } from '../db/client';
import type { Bus } from '../bus';
import type { Logger } from '../log';
import { extractDocument, staleDocuments } from './pipeline';
import { withTimeout } from '../../lib/util/withTimeout';
import type { Extractor } from './types';

const QUEUE = 'extract';
export const RETRY_LIMIT = 3;
/** How long a loop with nothing to do waits before fetching again (enqueue wakes it sooner). */
const POLL_MS = 500;

interface JobData {
  tenantId: string;
  documentId: string;
}

type State = 'idle' | 'queued' | 'running' | 'retrying' | 'failed';

export interface ExtractionQueueOptions {
  db: Database;
  bus: Bus;
  log: Logger;
  extractor: Extractor;
  /** Seconds between retries, doubled each time (pg-boss retryBackoff). */
  retryDelaySeconds?: number;
  /** Retries after the first failure (default RETRY_LIMIT). */
  retryLimit?: number;
  /** A job running longer than this is failed and retried. */
  expireInSeconds?: number;
  /**
   * Jobs this process runs at once (default 1). With 2, a half-deleted quote became an orphaned
   * annotation's quote in the browser test: more intermediate texts get extracted while typing.
   */
  concurrency?: number;
}

/**
 * pg-boss's whole need of a database: executeSql. Multi-statement scripts go through exec.
 * `settled()` waits for the statements in flight (pg-boss's maintenance runs on timers of its
 * own, which its stop() does not wait for), so none runs on a database closed after stop().
 */
function pgbossAdapter(db: Database) {
  const inFlight = new Set<Promise<unknown>>();
  const run = async (text: string, values?: unknown[]) => {
    try {
      return await db.query(text, values);
    } catch (error) {
      if (!(error instanceof Error) || !/multiple commands/.test(error.message)) throw error;
      await db.exec(text);
      return { rows: [], rowCount: 0 };
    }
  };
  return {
    executeSql(text: string, values?: unknown[]) {
      const statement = run(text, values);
      inFlight.add(statement);
      void statement.catch(() => {}).finally(() => inFlight.delete(statement));
      return statement;
    },
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

export class ExtractionQueue {
  private boss: PgBoss;
  private readonly adapter: ReturnType<typeof pgbossAdapter>;
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  /** Wakes each loop sleeping between polls. */
  private readonly sleeping = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: ExtractionQueueOptions) {
    this.adapter = pgbossAdapter(options.db);
    this.boss = new PgBoss({ db: this.adapter, schedule: false, supervise: true, migrate: true });
    this.boss.on('error', (error) => options.log.warn({ err: error }, 'extraction queue error'));
  }

  /** `work: false` only queues (a process that leaves extraction to others; restart tests). */
  async start({ work = true } = {}): Promise<void> {
    await this.boss.start();
    const delay = this.options.retryDelaySeconds ?? 1;
    await this.boss.createQueue(QUEUE, {
      name: QUEUE,
      policy: 'short',
      retryLimit: this.options.retryLimit ?? RETRY_LIMIT,
      retryDelay: delay,
      retryBackoff: true,
      expireInSeconds: this.options.expireInSeconds ?? 120,
    });
    if (work) {
      await this.options.extractor.warmUp?.();
      // Each loop runs one job at a time. Two jobs of one document wait for each other in run()
      // (so a document's text is extracted in order, as with one loop); across processes, the
      // pipeline's per-block advisory lock and hash re-check make overlap harmless.
      for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.loops.push(this.workLoop());
    }
    this.unsubscribe = this.options.bus.subscribe((event) => {
      if (event.type === 'blocks.changed') void this.enqueue(event.tenantId, event.documentId);
    });
    // Changes the process did not get to before it stopped (crash between projection and enqueue).
    for (const stale of await staleDocuments(this.options.db)) await this.enqueue(stale.tenantId, stale.documentId);
  }

  async enqueue(tenantId: string, documentId: string): Promise<void> {
    try {
      const id = await this.boss.send(QUEUE, { tenantId, documentId }, { singletonKey: documentId });
      if (id) await this.setStatus(tenantId, documentId, 'queued', null, { onlyIfIdle: true });
      // Also when the send was merged into a waiting job: a loop then fetches it as soon as its
      // current job ends, instead of sleeping out its polling interval.
      this.wakeLoops();
    } catch (error) {
      this.options.log.warn({ err: error, documentId }, 'could not enqueue extraction');
    }
  }

  /**
   * Fetches a job, runs it and records the outcome, until stop(). Not pg-boss's work(): its loop
   * runs a job fetched while stopping after stop() resolved, and does not await the statement
   * that completes or fails it — both then ran on a closed database (a hung or failed CI test).
   */
  private async workLoop(): Promise<void> {
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<JobData> | undefined;
      try {
        [job] = await this.boss.fetch<JobData>(QUEUE, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        this.options.log.warn({ err: error }, 'could not fetch an extraction job');
      }
      if (!job) {
        await this.idle();
        continue;
      }
      const failure = await this.run(job).then(
        () => null,
        (error: unknown) => ({ message: error instanceof Error ? error.message : String(error) }),
      );
      try {
        if (failure) await this.boss.fail(QUEUE, job.id, failure);
        else await this.boss.complete(QUEUE, job.id);
      } catch (error) {
        // The job expires and runs again.
        this.options.log.warn({ err: error, jobId: job.id }, 'could not record the outcome of an extraction job');
      }
    }
  }

  /** Resolves after POLL_MS, or sooner when wakeLoops() is called. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, POLL_MS);
      this.sleeping.add(wake);
    });
  }

  private wakeLoops(): void {
    for (const wake of [...this.sleeping]) wake();
  }

  /** Jobs running in this process, by document: a document's jobs run one after the other. */
  private readonly running = new Map<string, Promise<unknown>>();

  private async run(job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
    const { documentId } = job.data;
    const previous = this.running.get(documentId);
    const current = (previous ?? Promise.resolve()).catch(() => {}).then(() => this.extract(job));
    this.running.set(documentId, current);
    try {
      await current;
    } finally {
      if (this.running.get(documentId) === current) this.running.delete(documentId);
    }
  }

  private async extract(job: PgBoss.JobWithMetadata<JobData>): Promise<void> {
    const { tenantId, documentId } = job.data;
    await this.setStatus(tenantId, documentId, 'running', null, { attempt: true });
    try {
      const summary = await extractDocument(this.options.db, this.options.extractor, tenantId, documentId);
      await this.setStatus(tenantId, documentId, 'idle', null);
      this.options.log.debug({ documentId, summary }, 'extracted');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const last = job.retryCount >= job.retryLimit;
      await this.setStatus(tenantId, documentId, last ? 'failed' : 'retrying', message.slice(0, 2000));
      this.options.log.warn({ err: error, documentId, attempt: job.retryCount + 1 }, 'extraction failed');
      throw error;
    }
  }

  private async setStatus(
    tenantId: string,
    documentId: string,
    state: State,
    error: string | null,
    { onlyIfIdle = false, attempt = false } = {},
  ): Promise<void> {
    const { rowCount } = await this.options.db.query(
      `INSERT INTO extraction_status (document_id, tenant_id, state, attempts, error)
       SELECT $1, $2, $3, $5, $4 WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1)
       ON CONFLICT (document_id) DO UPDATE SET state = $3, updated_at = NOW(),
         error = CASE WHEN $3 IN ('retrying', 'failed') THEN $4 WHEN $3 = 'idle' THEN NULL ELSE extraction_status.error END,
         attempts = CASE WHEN $3 = 'idle' THEN 0 ELSE extraction_status.attempts + $5 END
       WHERE NOT $6 OR extraction_status.state IN ('idle', 'failed')`,
      [documentId, tenantId, state, error, attempt ? 1 : 0, onlyIfIdle],
    );
    if (rowCount > 0) await this.options.bus.publish({ type: 'knowledge.changed', tenantId, documentId, status: state });
  }

  /** Resolves when no job is waiting or running (tests, shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.options.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
        [QUEUE],
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`extraction queue not drained in ${timeoutMs} ms (${rows[0].n} jobs)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits up to `timeoutMs` for a running job, then leaves it (it expires and is retried). */
  async stop({ timeoutMs = 10_000 } = {}): Promise<void> {
    this.unsubscribe?.();
    this.stopping = true;
    this.wakeLoops();
    await withTimeout(Promise.all(this.loops), timeoutMs).catch(() =>
      this.options.log.warn({ timeoutMs }, 'stopped with an extraction job still running; it expires and runs again'),
    );
    await this.boss.stop({ graceful: false, wait: true });
    await this.adapter.settled();
  }
}
