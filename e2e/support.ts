/**
 * Browser-test harness: the real app (server/main.ts --role=all, production build) on a free
 * port with a fresh database, and Debian's Chromium driven by playwright-core.
 * Run `next build` first (scripts/test.sh does).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { spawnServer, type ServerProcess } from '../test/support/process';
import { createPostgresDatabase } from '../test/support/db';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface App {
  server: ServerProcess;
  url: string;
  env: Record<string, string>;
  browser: Browser;
  /**
   * A browser context with its own profile (display name and caret colour), signed in as the
   * local user unless `signIn: 'none'` (then the person starts signed out, e.g. to sign up).
   */
  newUser(name: string, options?: { signIn?: 'local' | 'none' }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** KOS_E2E_DB=postgres runs the app on a fresh database of the real server; default PGlite. */
export async function startApp(): Promise<App> {
  const cleanups: Array<() => Promise<void> | void> = [];
  let env: Record<string, string>;
  if (process.env.KOS_E2E_DB === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    env = { DATABASE_URL: url };
    cleanups.push(drop);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-e2e-'));
    env = { DATABASE_URL: '', DATA_DIR: dir };
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  }
  // The server's warnings and errors, and the pages' uncaught errors, go to the test output: a
  // browser test that fails once in twenty runs is diagnosed from them.
  const server = await spawnServer({ ...env, NODE_ENV: 'production' }, 'all', { echo: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    server,
    url: server.url,
    env,
    browser,
    async newUser(name, options = {}) {
      const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
      if ((options.signIn ?? 'local') === 'local') {
        // The context's request client shares its cookie jar: the page starts signed in.
        // State-changing requests must carry the page's Origin (CSRF check).
        const response = await context.request.post('/api/auth/local', { headers: { origin: server.url } });
        if (!response.ok()) throw new Error(`local sign-in failed: ${response.status()} ${await response.text()}`);
      }
      // The profile components/useLocalProfile.ts keeps: a display name and caret colour.
      await context.addInitScript((profile) => {
        window.localStorage.setItem('kos.profile.v1', profile);
      }, JSON.stringify({ name, color: name.length % 2 ? '#e11d48' : '#2563eb' }));
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => process.stderr.write(`[${name}'s page] ${error.stack ?? error.message}\n`));
      return { context, page };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.kill('SIGTERM');
      for (const cleanup of cleanups) await cleanup();
    },
  };
}
