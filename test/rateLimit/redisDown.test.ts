/** When Redis cannot answer, the limiter counts in this process: limits hold, never fall open. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { RateLimitedError, redisLimiter, type RateLimiter } from '../../server/rateLimit';

async function allowedOf(limiter: RateLimiter, key: string, limit: number, attempts: number): Promise<boolean[]> {
  const allowed: boolean[] = [];
  for (let i = 0; i < attempts; i++) {
    allowed.push(
      await limiter.check([{ key, limit }]).then(
        () => true,
        (error: unknown) => {
          assert.ok(error instanceof RateLimitedError, `expected RateLimitedError, got ${String(error)}`);
          return false;
        },
      ),
    );
  }
  return allowed;
}

describe('rate limits while Redis is down', { timeout: 20_000 }, () => {
  it('nothing listens at REDIS_URL: the fourth hit of a limit of three is refused', async () => {
    // Port 1: connection refused at once.
    const limiter = redisLimiter('redis://127.0.0.1:1', { answerMs: 300 });
    const started = Date.now();
    assert.deepEqual(await allowedOf(limiter, `down:${randomUUID()}`, 3, 5), [true, true, true, false, false]);
    assert.ok(Date.now() - started < 3000, `five checks took ${Date.now() - started} ms`);
    await limiter.close();
  });

  it('Redis accepts the connection but never answers: limits still hold, each check within a second', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const limiter = redisLimiter(`redis://127.0.0.1:${port}`, { answerMs: 300 });
    try {
      const key = `silent:${randomUUID()}`;
      for (const expected of [true, true, false]) {
        const started = Date.now();
        const [allowed] = await allowedOf(limiter, key, 2, 1);
        assert.equal(allowed, expected);
        assert.ok(Date.now() - started < 1000, `a check took ${Date.now() - started} ms`);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      void limiter.close();
    }
  });
});
