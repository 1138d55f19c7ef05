/**
 * Fixed-window rate limits shared by every process through Redis (INCR + PEXPIRE in one
 * MULTI), or counted in this process on the embedded default. check() counts one hit on every
 * key and throws RateLimitedError (→ 429 with Retry-After, or websocket close 4529) when any
 * key is over its limit in the current window.
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
  close(): Promise<void>;
}

/** Counts hits per window; returns [count, ms left in the window] for each key. */
type Counter = (keys: Array<{ key: string; windowMs: number; hits: number }>) => Promise<Array<[number, number]>>;

function limiter(kind: RateLimiter['kind'], count: Counter, close: () => Promise<void>): RateLimiter {
  return {
    kind,
    async check(limits) {
      const active = limits.filter((l) => l.limit > 0);
      if (active.length === 0) return;
      // Fails open: an unreachable Redis must not take the API down with it (health reports it).
      const counts = await count(active.map((l) => ({ key: l.key, windowMs: l.windowMs ?? 60_000, hits: l.hits ?? 1 }))).catch(() => null);
      if (!counts) return;
      let wait = 0;
      counts.forEach(([hits, leftMs], i) => {
        if (hits > active[i].limit) wait = Math.max(wait, leftMs);
      });
      if (wait > 0) throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
    },
    close,
  };
}

export function inProcessLimiter(): RateLimiter {
  const windows = new Map<string, { hits: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
  }, 60_000);
  sweep.unref();
  return limiter(
    'in-process',
    async (keys) =>
      keys.map(({ key, windowMs, hits }) => {
        const now = Date.now();
        let w = windows.get(key);
        if (!w || w.resetAt <= now) windows.set(key, (w = { hits: 0, resetAt: now + windowMs }));
        w.hits += hits;
        return [w.hits, w.resetAt - now];
      }),
    async () => clearInterval(sweep),
  );
}

export function redisLimiter(url: string): RateLimiter {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', () => {});
  return limiter(
    'redis',
    async (keys) => {
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
    },
    async () => void (await redis.quit().catch(() => {})),
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
