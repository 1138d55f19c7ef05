/** Rate limits: one contract for the in-process and the Redis limiter, and the websocket share. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inProcessLimiter, MessageLimiter, RateLimitedError, redisLimiter, type RateLimiter } from '../../server/rateLimit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function refusal(limiter: RateLimiter, key: string, limit: number, windowMs?: number): Promise<RateLimitedError | null> {
  try {
    await limiter.check([{ key, limit, windowMs }]);
    return null;
  } catch (error) {
    assert.ok(error instanceof RateLimitedError, `expected RateLimitedError, got ${String(error)}`);
    return error;
  }
}

for (const [name, open] of [
  ['in-process', () => inProcessLimiter()],
  ['redis', () => redisLimiter(REDIS_URL)],
] as const) {
  describe(`rate limiter contract: ${name}`, () => {
    it('allows the limit, then refuses with a Retry-After within the window', async () => {
      const limiter = open();
      const key = `t:${randomUUID()}`;
      for (let i = 0; i < 5; i++) assert.equal(await refusal(limiter, key, 5), null, `hit ${i + 1} of 5 is allowed`);
      const refused = await refusal(limiter, key, 5);
      assert.ok(refused, 'the sixth hit is refused');
      assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60, `retry after ${refused.retryAfterSeconds} s`);
      await limiter.close();
    });

    it('counts keys apart and starts again in the next window', async () => {
      const limiter = open();
      const [a, b] = [`t:${randomUUID()}`, `t:${randomUUID()}`];
      // Redis windows are aligned to the clock: start at a window's beginning so the first
      // two hits fall into one window (a run straddling the edge failed once in CI).
      await new Promise((resolve) => setTimeout(resolve, 300 - (Date.now() % 300) + 5));
      assert.equal(await refusal(limiter, a, 1, 300), null);
      assert.ok(await refusal(limiter, a, 1, 300), 'a is over its limit');
      assert.equal(await refusal(limiter, b, 1, 300), null, 'b has its own budget');
      await new Promise((resolve) => setTimeout(resolve, 650));
      assert.equal(await refusal(limiter, a, 1, 300), null, 'a new window');
      await limiter.close();
    });

    it('a websocket user over budget is refused; another user is not', async () => {
      const limiter = open();
      const messages = new MessageLimiter(limiter, { user: 3, tenant: 100 });
      const [tenant, alice, bob] = [randomUUID(), randomUUID(), randomUUID()];
      const allowed = Array.from({ length: 5 }, () => messages.allow(alice, tenant));
      assert.deepEqual(allowed, [true, true, true, false, false]);
      assert.equal(messages.allow(bob, tenant), true);
      messages.close();
      await limiter.close();
    });
  });
}

describe('rate limits shared through Redis', () => {
  it('two processes share one budget per key', async () => {
    const [one, two] = [redisLimiter(REDIS_URL), redisLimiter(REDIS_URL)];
    const key = `t:${randomUUID()}`;
    assert.equal(await refusal(one, key, 2), null);
    assert.equal(await refusal(two, key, 2), null);
    assert.ok(await refusal(one, key, 2), 'the third hit, from either process, is refused');
    assert.ok(await refusal(two, key, 2), 'and from the other');
    await one.close();
    await two.close();
  });

  it('websocket messages of one user on two servers add up', async () => {
    const [one, two] = [redisLimiter(REDIS_URL), redisLimiter(REDIS_URL)];
    const limits = { user: 10, tenant: 1000, windowMs: 4000 };
    const [serverA, serverB] = [new MessageLimiter(one, limits), new MessageLimiter(two, limits)];
    const [tenant, user] = [randomUUID(), randomUUID()];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await sleep(4000 - (Date.now() % 4000) + 5); // the start of a window, so everything lands in one
    for (let i = 0; i < 7; i++) assert.ok(serverA.allow(user, tenant), 'server A alone is under the limit');
    for (let i = 0; i < 7; i++) assert.ok(serverB.allow(user, tenant), 'server B alone is under the limit');
    await sleep(400); // a flush: the shared count is now 14 > 10
    serverA.allow(user, tenant);
    serverB.allow(user, tenant);
    await sleep(400); // each has flushed again and learnt the shared count
    assert.equal(serverA.allow(user, tenant), false, 'server A refuses with 9 of its own');
    assert.equal(serverB.allow(user, tenant), false, 'server B refuses with 9 of its own');
    for (const l of [serverA, serverB]) l.close();
    await one.close();
    await two.close();
  });
});
