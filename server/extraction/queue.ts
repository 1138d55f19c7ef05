/**
 * The durable extraction queue: a document's row in extraction_status is both what the editor
 * shows and the document's job, so queueing, claiming and finishing a job are one statement each.
 *
 * - enqueue() counts a request (`requested`) and moves an idle or failed document to 'queued'.
 *   A burst of edits collapses into one job: while the document waits or runs, enqueue only counts.
 * - A worker claims the oldest due document ('running', with a lease it renews while the job
 *   runs), extracts it, and finishes it: 'idle' if nothing was requested since the claim, else
 *   'queued' again, so an edit made during a run is extracted after it.
 * - A failed run is retried with exponential back-off ('retrying'), then left 'failed' with its
 *   error (the editor shows it) until the next edit queues the document again.
 * - A process that dies mid-job leaves its lease to run out; another worker then takes the
 *   document over. pipeline.ts makes two runs of one document harmless (per-block lock and hash
 *   re-check), so a job re-run after a crash stores everything once.
 *
 * This replaced pg-boss (2026-12-06): per job it ran a send, a fetch and a completion (1.1 ms of
 * database time and three commits) beside three status writes, half of the database's time in
 * the 20-document collaboration bench.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client';
import type { Bus } from '../bus';
import type { Logger } from '../log';
import { extractDocument, staleDocuments, type ExtractionProgress } from './pipeline';
import { withTimeout } from '../../lib/util/withTimeout';
import type { Extractor } from './types';

export const RETRY_LIMIT = 3;
/** How long a loop with nothing to do waits before looking again (enqueue wakes it sooner). */
const POLL_MS = 500;
/** A running job writes its progress at most this often, and only once it has run this long. */
const PROGRESS_MS = 500;

type State = 'idle' | 'queued' | 'running' | 'retrying' | 'failed';

export interface ExtractionQueueOptions {
  db: Database;
  bus: Bus;
  log: Logger;
  extractor: Extractor;
  /** Seconds before the first retry, doubled for each next one. */
  retryDelaySeconds?: number;
  /** Retries after the first failure (default RETRY_LIMIT). */
  retryLimit?: number;
  /** A job running longer than this stops renewing its lease, so another worker may take it over. */
  expireInSeconds?: number;
  /** How long a claim holds without renewal: how soon a dead process's job is taken over. */
  leaseSeconds?: number;
  /** How long a loop with nothing to do sleeps before looking again (default POLL_MS). */
  pollMs?: number;
  /**
   * Jobs this process runs at once (default 1). With 2, a half-deleted quote became an orphaned
   * annotation's quote in the browser test: more intermediate texts get extracted while typing.
   */
  concurrency?: number;
  /** How often a running job writes its progress (default PROGRESS_MS). */
  progressMs?: number;
}

interface Job {
  tenantId: string;
  documentId: string;
  attempts: number;
  lease: string;
}

export class ExtractionQueue {
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  /** Wakes each loop sleeping between polls. */
  private readonly sleeping = new Set<() => void>();
  private wakePending = false;
  /** Enqueues in flight (from bus events), which stop() waits for. */
  private readonly inFlight = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: ExtractionQueueOptions) {}

  /** `work: false` only queues (a process that leaves extraction to others; restart tests). */
  async start({ work = true } = {}): Promise<void> {
    if (work) {
      await this.options.extractor.warmUp?.();
      for (let i = 0; i < (this.options.concurrency ?? 1); i++) this.loops.push(this.workLoop());
    }
    this.unsubscribe = this.options.bus.subscribe((event) => {
      if (event.type !== 'blocks.changed') return;
      const queued = this.enqueue(event.tenantId, event.documentId);
      this.inFlight.add(queued);
      void queued.finally(() => this.inFlight.delete(queued));
    });
    // Changes the process did not get to before it stopped (crash between projection and enqueue).
    for (const stale of await staleDocuments(this.options.db)) await this.enqueue(stale.tenantId, stale.documentId);
  }

  /**
   * Queues a document's extraction; never throws (a lost request is found by the start-up sweep).
   * An event whose tenant does not own the document queues nothing: the status row would carry
   * the wrong tenant, and the editor of the real one would never see its status.
   */
  async enqueue(tenantId: string, documentId: string): Promise<void> {
    try {
      // `updated_at = NOW()` holds only for a row this statement changed state of: NOW() is the
      // statement's transaction start.
      const { rows } = await this.options.db.query<{ state: State; changed: boolean }>(
        `INSERT INTO extraction_status AS s (document_id, tenant_id, state, requested)
         SELECT $1, $2, 'queued', 1 WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1 AND tenant_id = $2)
         ON CONFLICT (document_id) DO UPDATE SET requested = s.requested + 1,
           state = CASE WHEN s.state IN ('idle', 'failed') THEN 'queued' ELSE s.state END,
           attempts = CASE WHEN s.state IN ('idle', 'failed') THEN 0 ELSE s.attempts END,
           error = CASE WHEN s.state IN ('idle', 'failed') THEN NULL ELSE s.error END,
           run_after = CASE WHEN s.state IN ('idle', 'failed') THEN NOW() ELSE s.run_after END,
           updated_at = CASE WHEN s.state IN ('idle', 'failed') THEN NOW() ELSE s.updated_at END
         RETURNING state, updated_at = NOW() AS changed`,
        [documentId, tenantId],
      );
      if (rows[0]?.changed) await this.publish(tenantId, documentId, rows[0].state);
      this.wakeLoops();
    } catch (error) {
      this.options.log.warn({ err: error, documentId }, 'could not enqueue extraction');
    }
  }

  /** Claims a due document, runs it and records the outcome, until stop(). */
  private async workLoop(): Promise<void> {
    while (!this.stopping) {
      let job: Job | undefined;
      try {
        job = await this.claim();
      } catch (error) {
        this.options.log.warn({ err: error }, 'could not claim an extraction job');
      }
      // After a job, look again at once only if another document is due; else wait for a
      // wake-up (an enqueue) or the poll. The look that finds nothing was a third of the claims.
      if (!job || !(await this.run(job))) await this.idle();
    }
  }

  private async claim(): Promise<Job | undefined> {
    const lease = randomUUID();
    const { rows } = await this.options.db.query<Omit<Job, 'lease'>>(
      `UPDATE extraction_status s SET state = 'running', claimed = s.requested, attempts = s.attempts + 1,
              lease = $1, lease_until = NOW() + make_interval(secs => $2), updated_at = NOW(),
              blocks_total = NULL, blocks_done = 0
        WHERE s.document_id = (
          SELECT document_id FROM extraction_status
           WHERE state IN ('queued', 'running', 'retrying') AND run_after <= NOW()
             AND (state <> 'running' OR lease_until IS NULL OR lease_until < NOW())
           ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING s.tenant_id AS "tenantId", s.document_id AS "documentId", s.attempts`,
      [lease, this.leaseSeconds],
    );
    return rows[0] && { ...rows[0], lease };
  }

  private get leaseSeconds(): number {
    return this.options.leaseSeconds ?? 30;
  }

  /** Runs the job and records its outcome; true if another document is due now (or unknown). */
  private async run(job: Job): Promise<boolean> {
    const { db, log } = this.options;
    const { tenantId, documentId, lease } = job;
    const started = Date.now();
    const renew = setInterval(() => {
      if (Date.now() - started > (this.options.expireInSeconds ?? 120) * 1000) return;
      db.query(
        `UPDATE extraction_status SET lease_until = NOW() + make_interval(secs => $3) WHERE document_id = $1 AND lease = $2`,
        [documentId, lease, this.leaseSeconds],
      ).catch((error: unknown) => log.warn({ err: error, documentId }, 'could not renew an extraction lease'));
    }, (this.leaseSeconds * 1000) / 3);
    const progress = progressWriter((done, total) => this.writeProgress(job, done, total), this.options.progressMs ?? PROGRESS_MS);
    let failure: string | null = null;
    let notice: string | null = null;
    try {
      const summary = await extractDocument(db, this.options.extractor, tenantId, documentId, progress.report);
      notice = summary?.notice ?? null;
      log.debug({ documentId, summary }, 'extracted');
    } catch (error) {
      failure = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
      log.warn({ err: error, documentId, attempt: job.attempts }, 'extraction failed');
    } finally {
      clearInterval(renew);
      // A progress event published after the outcome's would show the job running again.
      await progress.stop();
    }
    try {
      return await this.finish(job, failure, notice);
    } catch (error) {
      // The lease runs out and another worker runs the document again.
      log.warn({ err: error, documentId }, 'could not record the outcome of an extraction job');
      return true;
    }
  }

  /**
   * Idle, or queued again if requested during the run; on failure retrying, then failed.
   * Returns whether a document (this one again, or another) is due now.
   */
  private async finish(job: Job, failure: string | null, notice: string | null): Promise<boolean> {
    const retryLimit = this.options.retryLimit ?? RETRY_LIMIT;
    const delay = this.options.retryDelaySeconds ?? 1;
    const [outcome, values] =
      failure === null
        ? [`state = CASE WHEN requested = claimed THEN 'idle' ELSE 'queued' END, attempts = 0, error = NULL, run_after = NOW(), notice = $3`, [notice]]
        : [`state = CASE WHEN attempts <= $3 THEN 'retrying' WHEN requested = claimed THEN 'failed' ELSE 'queued' END,
            attempts = CASE WHEN attempts <= $3 OR requested = claimed THEN attempts ELSE 0 END,
            run_after = CASE WHEN attempts <= $3 THEN NOW() + make_interval(secs => $4 * power(2, attempts - 1)) ELSE NOW() END,
            error = $5`, [retryLimit, delay, failure]];
    const { rows } = await this.options.db.query<{ state: State; more: boolean }>(
      `UPDATE extraction_status SET ${outcome}, lease = NULL, lease_until = NULL, updated_at = NOW()
        WHERE document_id = $1 AND lease = $2
        RETURNING state, EXISTS (SELECT 1 FROM extraction_status WHERE state IN ('queued', 'retrying')
                                    AND run_after <= NOW() AND document_id <> $1) AS more`,
      [job.documentId, job.lease, ...values],
    );
    // No row: the lease ran out and another worker has the document now.
    if (!rows[0]) return true;
    await this.publish(job.tenantId, job.documentId, rows[0].state);
    return rows[0].state === 'queued' || rows[0].more;
  }

  /** One statement, only while this job holds the document; then the editors are told. */
  private async writeProgress(job: Job, done: number, total: number): Promise<void> {
    try {
      const { rows } = await this.options.db.query(
        `UPDATE extraction_status SET blocks_done = $3, blocks_total = $4
          WHERE document_id = $1 AND lease = $2 AND state = 'running' RETURNING 1`,
        [job.documentId, job.lease, done, total],
      );
      if (rows.length > 0) await this.publish(job.tenantId, job.documentId, 'running', { done, total });
    } catch (error) {
      this.options.log.warn({ err: error, documentId: job.documentId }, 'could not record extraction progress');
    }
  }

  private async publish(tenantId: string, documentId: string, status: State, progress?: { done: number; total: number }): Promise<void> {
    await this.options.bus
      .publish({ type: 'knowledge.changed', tenantId, documentId, status, ...(progress ? { progress } : {}) })
      .catch((error: unknown) => this.options.log.warn({ err: error, documentId }, 'could not publish knowledge.changed'));
  }

  /** Resolves after pollMs, or sooner when wakeLoops() is called (also if it was called while no loop slept). */
  private idle(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.options.pollMs ?? POLL_MS);
      this.sleeping.add(wake);
    });
  }

  /**
   * A wake-up that finds no loop asleep is kept for the next idle(): an enqueue that committed
   * while a loop's claim was already running found nothing to wake, and the loop then slept
   * pollMs with the document queued (4 of 20 edit → highlight samples took ~840 ms, not ~300).
   */
  private wakeLoops(): void {
    if (this.sleeping.size === 0) this.wakePending = true;
    for (const wake of [...this.sleeping]) wake();
  }

  /** Resolves when no document is queued, running or waiting for a retry (tests, shutdown). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.options.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM extraction_status WHERE state IN ('queued', 'running', 'retrying')`,
      );
      if (rows[0].n === 0) return;
      if (Date.now() > deadline) throw new Error(`extraction queue not drained in ${timeoutMs} ms (${rows[0].n} documents)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits up to `timeoutMs` for a running job, then leaves it (its lease runs out; it runs again). */
  async stop({ timeoutMs = 10_000 } = {}): Promise<void> {
    this.unsubscribe?.();
    this.stopping = true;
    this.wakeLoops();
    await withTimeout(Promise.all(this.loops), timeoutMs).catch(() =>
      this.options.log.warn({ timeoutMs }, 'stopped with an extraction job still running; it runs again once its lease runs out'),
    );
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * Passes a job's progress to `write` at most once per `intervalMs`, the first time only after the
 * job has run that long: a job that ends sooner (typing: one block) costs no statement. Writes do
 * not overlap, and stop() waits for the one in flight.
 */
function progressWriter(write: (done: number, total: number) => Promise<void>, intervalMs: number): { report: ExtractionProgress; stop: () => Promise<void> } {
  let latest: { done: number; total: number } | null = null;
  let lastAt = Date.now();
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> | null = null;
  let stopped = false;
  const schedule = () => {
    if (timer || writing || stopped || !latest) return;
    timer = setTimeout(flush, Math.max(0, lastAt + intervalMs - Date.now()));
  };
  const flush = () => {
    timer = null;
    const values = latest;
    latest = null;
    if (!values || stopped) return;
    writing = write(values.done, values.total).finally(() => {
      writing = null;
      lastAt = Date.now();
      schedule();
    });
  };
  return {
    report(done, total) {
      latest = { done, total };
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await writing;
    },
  };
}
