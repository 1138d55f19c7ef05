/**
 * Two documents state contradicting rules; both flag the conflict, and the impact graph of the
 * rate atom is drawn. Needs the PostgreSQL -> graph sync (server/graph/sync.ts) to write the
 * atoms, molecules and CONFLICTS_WITH edges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type App } from './support';

const RULE_10 = 'In Quebec, the withholding rate is 10% for amounts over $5,000.';
const RULE_12 = 'In Quebec, the withholding rate is 12% for amounts over $5,000.';
const SYNC_TIMEOUT = 30_000;
const editorOf = (page: Page) => page.getByTestId('editor').locator('.ProseMirror');

async function newDocumentWith(page: Page, text: string): Promise<string> {
  await page.goto('/');
  await page.getByTestId('new-document').click();
  await page.waitForURL(/\/d\/[0-9a-f-]{36}$/);
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
  await editorOf(page).click();
  await page.keyboard.type(text);
  // The rule is extracted: its molecule is highlighted.
  await editorOf(page).locator('.kos-molecule').first().waitFor();
  return new URL(page.url()).pathname;
}

describe('conflicts and impact graph in Chromium', { timeout: 180_000 }, () => {
  let app: App;
  let page: Page;
  let first: string;
  let second: string;

  before(async () => {
    app = await startApp();
    page = (await app.newUser('Ada')).page;
    page.setDefaultTimeout(15_000);
    first = await newDocumentWith(page, RULE_10);
    second = await newDocumentWith(page, RULE_12);
  });
  after(async () => {
    await app?.close();
  });

  it('the contradicting rule is flagged in both documents', async () => {
    for (const path of [second, first]) {
      if (new URL(page.url()).pathname !== path) await page.goto(path);
      const item = page.getByTestId('conflicts-list').getByTestId('conflict-item').first();
      await item.waitFor({ timeout: SYNC_TIMEOUT });
      const text = await item.innerText();
      assert.match(text, /10%/, text);
      assert.match(text, /12%/, text);
    }
    // The link to the other side opens its document at the rule's block.
    await page.getByTestId('conflict-item').first().locator('a', { hasText: '12%' }).click();
    await page.waitForURL((url) => url.pathname === second && /^#block-[0-9a-f-]{36}$/.test(url.hash));
  });

  it('the impact graph of the rate atom is drawn on a canvas, at the chosen depth', async () => {
    const panel = page.getByTestId('knowledge-panel');
    await panel.getByTestId('atoms-tab').click();
    const rate = panel.locator('li', { has: page.locator('[data-testid="atom-item"][data-atom-type="NumberAtom"]', { hasText: '12%' }) });
    await rate.getByTestId('impact-button').click();
    const graph = page.getByTestId('graph-panel');
    await graph.waitFor();
    assert.equal(await graph.getByTestId('graph-depth').inputValue(), '3');
    await graph.getByTestId('graph-canvas').locator('canvas').first().waitFor({ timeout: SYNC_TIMEOUT });
    const count = async () => Number(await graph.getByTestId('graph-node-count').getAttribute('data-count'));
    const deadline = Date.now() + 5_000;
    while ((await count()) <= 1 && Date.now() < deadline) await page.waitForTimeout(100);
    const atDepth3 = await count();
    assert.ok(atDepth3 > 1, `more than one node drawn, got ${atDepth3}`);

    await graph.getByTestId('graph-depth').selectOption('1');
    const settled = Date.now() + 5_000;
    while ((await count()) < 2 && Date.now() < settled) await page.waitForTimeout(100);
    const atDepth1 = await count();
    assert.ok(atDepth1 >= 2 && atDepth1 <= atDepth3, `depth 1 reaches the atom’s rule and no more than depth 3, got ${atDepth1}`);
  });
});
