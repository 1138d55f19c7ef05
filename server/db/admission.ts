/**
 * PGlite is one connection: a statement or a transaction holds the whole database until it ends.
 * This gate admits one unit of work (a statement, or a transaction from BEGIN to its end) at a
 * time, the waiting `normal` units (requests, the relay's update log and projection) before the
 * `background` ones (extraction), and those before the `idle` ones (graph sync), so a request
 * waits for at most the unit in progress, not for a queue of background statements. A waiting
 * lower unit still gets in after MAX_STREAK higher ones, so a busy editor cannot starve extraction. A normal unit that waits
 * longer than its limit is refused with DatabaseBusyError (PGlite has no statement_timeout).
 */
export type Priority = 'normal' | 'background' | 'idle';

/** Highest first. */
const LEVELS: readonly Priority[] = ['normal', 'background', 'idle'];

/** Normal units admitted in a row while background work waits. */
const MAX_STREAK = 8;

export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  constructor(waitedMs: number) {
    super(`The database was busy for ${Math.round(waitedMs / 1000)} s; try again in a moment.`);
  }
}

interface Waiter {
  admit: () => void;
}

export class AdmissionGate {
  private held = false;
  private streak = 0;
  private readonly waiting: Record<Priority, Waiter[]> = { normal: [], background: [], idle: [] };

  /** Resolves when this unit may run; rejects with DatabaseBusyError after `limitMs` of waiting. */
  enter(priority: Priority, limitMs?: number): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting[priority];
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      if (limitMs !== undefined) {
        timer = setTimeout(() => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          reject(new DatabaseBusyError(performance.now() - started));
        }, limitMs);
      }
      queue.push(waiter);
    });
  }

  /** Ends the running unit and admits the next. */
  leave(): void {
    const waiting = LEVELS.filter((level) => this.waiting[level].length > 0);
    if (waiting.length === 0) {
      this.held = false;
      return;
    }
    const starved = waiting.length > 1 && this.streak >= MAX_STREAK;
    this.streak = starved ? 0 : waiting.length > 1 ? this.streak + 1 : 0;
    this.waiting[starved ? waiting[1] : waiting[0]].shift()?.admit();
  }

  /** Runs `work` as one unit. */
  async run<T>(priority: Priority, work: () => Promise<T>, limitMs?: number): Promise<T> {
    await this.enter(priority, limitMs);
    try {
      return await work();
    } finally {
      this.leave();
    }
  }
}
