/**
 * Sign-in throttling that an attacker cannot turn against an account's owner. Attempts are
 * limited per client address (a wall: 429), and failed attempts per (email, address) pair (a wall
 * for that pair only). Failures for an email from all addresses together never refuse it: they
 * slow its answers down, doubling from 250 ms to at most 2 s, so the owner signing in from an
 * address of their own gets in with the right password however many addresses guess at it.
 */
import { createHash } from 'node:crypto';
import type { RateLimiter } from '../rateLimit';

/** Failures count for this long (one fixed window). */
export const FAILURE_WINDOW_MS = 15 * 60_000;
/** Failed attempts one address may make at one email per window. */
export const PAIR_FAILURES = 10;
/** Failures for an email (from anywhere) before its answers are slowed. */
const FREE_FAILURES = 5;
const FIRST_DELAY_MS = 250;
export const MAX_DELAY_MS = 2000;

/** The delay before answering a sign-in for an email with this many recent failures. */
export function signInDelayMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES));
}

// The limiter's keys hold a digest, not the email itself (Redis is not where accounts are kept).
const emailKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SignInAttempt {
  /** Counts this attempt's wrong password against its pair and its email. */
  failed(): Promise<void>;
}

/**
 * Before a password is checked: refuses (RateLimitedError → 429 with Retry-After) an address over
 * `perAddressPerMinute` attempts or a pair over PAIR_FAILURES failures, then waits out the
 * email's delay. `perAddressPerMinute` 0 turns all of it off.
 */
export async function startSignInAttempt(limiter: RateLimiter, perAddressPerMinute: number, email: string, address: string): Promise<SignInAttempt> {
  if (perAddressPerMinute <= 0) return { failed: async () => {} };
  const account = emailKey(email);
  const pair = `auth-pair:${account}:${address}`;
  const any = `auth-email:${account}`;
  await limiter.check([
    { key: `auth-ip:${address}`, limit: perAddressPerMinute },
    // hits 0 reads the pair's failures without counting this attempt as one.
    { key: pair, limit: PAIR_FAILURES - 1, hits: 0, windowMs: FAILURE_WINDOW_MS },
  ]);
  const [failures] = await limiter.count([{ key: any, hits: 0, windowMs: FAILURE_WINDOW_MS }]);
  const delay = signInDelayMs(failures ?? 0);
  if (delay > 0) await sleep(delay);
  return {
    failed: async () => {
      await limiter.count([
        { key: pair, windowMs: FAILURE_WINDOW_MS },
        { key: any, windowMs: FAILURE_WINDOW_MS },
      ]);
    },
  };
}
