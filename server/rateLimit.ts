/**
 * Fixed-window rate limits shared by every process through Redis (INCR + PEXPIRE in one
 * MULTI), or counted in this process on the embedded default. check() counts one hit on every
 * key and throws RateLimitedError (→ 429 with Retry-After, or websocket close 4529) when any
 * key is over its limit in the current window. While Redis cannot answer (down, restarting, or
 * slower than REDIS_ANSWER_MS), each process counts by itself: limits then hold per process, so a
 * Redis outage multiplies them by the number of processes but never turns them off.
 */
import { Redis } from 'ioredis';

export interface Limit {
  key: string;
  limit: number;
  /** Window length; a minute unless said otherwise. */
  windowMs?: number;
  /** Hits to count at once (default 1). */
  hits?: number;
}

export class RateLimitedError extends Error {
  readonly name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests. Try again in ${retryAfterSeconds} s.`);
  }
}

export interface RateLimiter {
  readonly kind: 'redis' | 'in-process';
  check(limits: Limit[]): Promise<void>;
  /** Adds `hits` (0: only reads) to each key's current window and returns the counts; never refuses. */
  count(keys: Array<{ key: string; windowMs?: number; hits?: number }>): Promise<number[]>;
  close(): Promise<void>;
}

/** How long a Redis count may take before this process counts by itself instead. */
export const REDIS_ANSWER_MS = 500;

/** Counts hits per window; returns [count, ms left in the window] for each key. */
type Counter = (keys: Array<{ key: string; windowMs: number; hits: number }>) => Promise<Array<[number, number]>>;

function limiter(kind: RateLimiter['kind'], count: Counter, close: () => Promise<void>): RateLimiter {
  return {
    kind,
    async check(limits) {
      const active = limits.filter((l) => l.limit > 0);
      if (active.length === 0) return;
      const counts = await count(active.map((l) => ({ key: l.key, windowMs: l.windowMs ?? 60_000, hits: l.hits ?? 1 })));
      let wait = 0;
      counts.forEach(([hits, leftMs], i) => {
        if (hits > active[i].limit) wait = Math.max(wait, leftMs);
      });
      if (wait > 0) throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
    },
    async count(keys) {
      if (keys.length === 0) return [];
      const counts = await count(keys.map((k) => ({ key: k.key, windowMs: k.windowMs ?? 60_000, hits: k.hits ?? 1 })));
      return counts.map(([hits]) => hits);
    },
    close,
  };
}

/** Windows counted in this process's memory (swept once a minute). */
function memoryCounter(): { count: Counter; close: () => void } {
  const windows = new Map<string, { hits: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    count: async (keys) =>
      keys.map(({ key, windowMs, hits }) => {
        const now = Date.now();
        let w = windows.get(key);
        if (!w || w.resetAt <= now) windows.set(key, (w = { hits: 0, resetAt: now + windowMs }));
        w.hits += hits;
        return [w.hits, w.resetAt - now];
      }),
    close: () => clearInterval(sweep),
  };
}

export function inProcessLimiter(): RateLimiter {
  const memory = memoryCounter();
  return limiter('in-process', memory.count, async () => memory.close());
}

function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function redisLimiter(url: string, options: { answerMs?: number } = {}): RateLimiter {
  // No offline queue: while disconnected a command fails at once and this process counts alone.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => {});
  const memory = memoryCounter();
  const shared: Counter = async (keys) => {
    const multi = redis.multi();
    for (const { key, windowMs, hits } of keys) {
      const window = Math.floor(Date.now() / windowMs);
      multi.incrby(`kos:rl:${key}:${window}`, hits).pexpire(`kos:rl:${key}:${window}`, windowMs);
    }
    const results = (await multi.exec()) ?? [];
    return keys.map(({ windowMs }, i) => {
      const [error, hits] = results[i * 2] ?? [];
      if (error) throw error;
      return [Number(hits), windowMs - (Date.now() % windowMs)];
    });
  };
  const answerMs = options.answerMs ?? REDIS_ANSWER_MS;
  // The first count waits (at most answerMs) for the first connection; later ones never wait for one.
  let firstReady: Promise<void> | null = new Promise<void>((resolve) => redis.once('ready', resolve));
  return limiter(
    'redis',
    async (keys) => {
      if (firstReady) {
        await withinMs(firstReady, answerMs).catch(() => {});
        firstReady = null;
      }
      if (redis.status !== 'ready') return memory.count(keys);
      return withinMs(shared(keys), answerMs).catch(() => memory.count(keys));
    },
    async () => {
      memory.close();
      // quit() needs a connection to send QUIT on; without one, stop reconnecting.
      await redis.quit().catch(() => redis.disconnect());
    },
  );
}

export function openLimiter(redisUrl: string | undefined): RateLimiter {
  return redisUrl ? redisLimiter(redisUrl) : inProcessLimiter();
}

/**
 * Websocket messages: counted synchronously in this process (no round trip on the relay's hot
 * path), and every 250 ms the counts are added to the shared limiter, so several collaboration
 * processes share one budget per user and per tenant: a process learns that a key is over the
 * shared budget at its first flush after its own next message for that key.
 */
export class MessageLimiter {
  private pending = new Map<string, number>();
  private local = new Map<string, { hits: number; resetAt: number }>();
  private blockedUntil = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly shared: RateLimiter, private readonly limits: { user: number; tenant: number; windowMs?: number }) {
    this.timer = setInterval(() => void this.flush(), 250);
    this.timer.unref();
  }

  allow(userId: string, tenantId: string): boolean {
    const now = Date.now();
    for (const [key, limit] of [[`wsu:${userId}`, this.limits.user], [`wst:${tenantId}`, this.limits.tenant]] as const) {
      if (limit <= 0) continue;
      if ((this.blockedUntil.get(key) ?? 0) > now) return false;
      let w = this.local.get(key);
      const windowMs = this.limits.windowMs ?? 1000;
      if (!w || w.resetAt <= now) this.local.set(key, (w = { hits: 0, resetAt: now + windowMs - (now % windowMs) }));
      w.hits += 1;
      this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
      if (w.hits > limit) {
        this.blockedUntil.set(key, w.resetAt);
        return false;
      }
    }
    return true;
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    const now = Date.now();
    for (const [key, w] of this.local) if (w.resetAt <= now) this.local.delete(key);
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
    for (const [key, hits] of batch) {
      const limit = key.startsWith('wsu:') ? this.limits.user : this.limits.tenant;
      await this.shared.check([{ key, limit, hits, windowMs: this.limits.windowMs ?? 1000 }]).catch((error: unknown) => {
        if (error instanceof RateLimitedError) this.blockedUntil.set(key, Date.now() + error.retryAfterSeconds * 1000);
      });
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
