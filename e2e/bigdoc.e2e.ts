/**
 * A big paste in Chromium (issue 20): 200 handbook paragraphs pasted into one document. Other
 * pages keep answering, the panel shows how far extraction is, the last paragraph gets its
 * highlights; and when the server stops answering (SIGSTOP) the status says so within 5 s, then
 * recovers (SIGCONT). Screenshots of both go to $KOS_SCREENSHOTS (default: a temp folder).
 * Timeouts are generous on purpose: this is not a timing test (the bench measures that).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type App } from './support';
import { waitFor } from '../test/support/waitFor';

const PROVINCES = ['Ontario', 'Quebec', 'British Columbia', 'Alberta', 'Manitoba', 'Saskatchewan', 'Nova Scotia', 'New Brunswick', 'Newfoundland and Labrador', 'Prince Edward Island'];
const PARAGRAPHS = Array.from(
  { length: 200 },
  (_, i) =>
    `In ${PROVINCES[i % PROVINCES.length]}, the fee for request type ${i + 1} is 12% for amounts up to $800. ` +
    'If the member is over 25, a manager must approve requests received after June 8, 2027.',
);
const SCREENSHOTS = process.env.KOS_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kos-bigdoc-'));

const editorOf = (page: Page) => page.getByTestId('editor').locator('.ProseMirror');

/**
 * A paste as the browser delivers it from the clipboard: text/html and text/plain. (The HTML is
 * built here: a named function inside evaluate() gets tsx's __name helper, unknown in the page.)
 */
async function paste(page: Page, paragraphs: string[]) {
  const html = paragraphs.map((text) => `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`).join('');
  await editorOf(page).evaluate((el, { html, plain }) => {
    const data = new DataTransfer();
    data.setData('text/html', html);
    data.setData('text/plain', plain);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, { html, plain: paragraphs.join('\n\n') });
}

async function shoot(page: Page, name: string) {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  console.error(`screenshot: ${file}`);
}

/** Desktop, then 390 px wide with the knowledge panel's head in view. */
async function shootBoth(page: Page, name: string) {
  await shoot(page, `${name}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('extraction-status').scrollIntoViewIfNeeded().catch(() => {});
  await shoot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('a 200-paragraph paste in Chromium', { timeout: 600_000 }, () => {
  let app: App;
  let writer: Page;
  let other: Page;

  before(async () => {
    app = await startApp();
    writer = (await app.newUser('Ada')).page;
    other = (await app.newUser('Grace')).page;
    for (const page of [writer, other]) page.setDefaultTimeout(30_000);
    await writer.goto('/');
    await writer.getByTestId('new-document').click();
    await writer.waitForURL(/\/d\/[0-9a-f-]{36}$/);
    await writer.getByTestId('connection-status').and(writer.locator('[data-state="connected"]')).waitFor();
    await writer.getByTestId('extraction-status').waitFor();
  });
  after(async () => {
    await app?.close();
  });

  it('other pages answer while it is extracted, progress is shown, the last paragraph is highlighted', async () => {
    await editorOf(writer).click();
    await paste(writer, PARAGRAPHS);
    const pastedAt = Date.now();
    await waitFor(async () => assert.ok((await editorOf(writer).locator('p').count()) >= 200, 'all paragraphs are in the editor'), { timeout: 30_000, interval: 100 });

    // Another person opens the document list meanwhile: it answers (generous bound, not a timing test).
    const listStarted = Date.now();
    await other.goto('/');
    await other.getByTestId('new-document').waitFor({ timeout: 60_000 });
    const listMs = Date.now() - listStarted;
    const apiStarted = Date.now();
    const response = await other.request.get('/api/documents', { timeout: 60_000 });
    assert.ok(response.ok(), `the document list answers (${response.status()})`);
    console.error(`while extracting: the list page took ${listMs} ms, GET /api/documents ${Date.now() - apiStarted} ms`);

    // Progress in the panel at some point, unless the extraction had already finished.
    const status = writer.getByTestId('extraction-status');
    const lastParagraph = editorOf(writer).locator('p').last();
    let progressSeen: string | null = null;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const text = (await status.textContent()) ?? '';
      if (!progressSeen && /Extracting [\d,]+ of [\d,]+ blocks/.test(text)) {
        progressSeen = text;
        await writer.getByTestId('extraction-progress').waitFor({ timeout: 2_000 }).catch(() => {});
        await shootBoth(writer, 'progress');
      }
      if ((await lastParagraph.locator('.kos-atom').count()) > 0 && (await status.getAttribute('data-state')) === 'idle') break;
      if (Date.now() > deadline) assert.fail(`no highlight in the last paragraph after 300 s; status "${text}"`);
      await writer.waitForTimeout(100);
    }
    console.error(`highlights of the last paragraph ${Date.now() - pastedAt} ms after the paste; progress seen: ${progressSeen ?? 'no (finished first)'}`);
    if (progressSeen) {
      const [, done, total] = /Extracting ([\d,]+) of ([\d,]+) blocks/.exec(progressSeen) ?? [];
      assert.ok(Number(total.replace(/,/g, '')) >= 1 && Number(done.replace(/,/g, '')) <= Number(total.replace(/,/g, '')), progressSeen);
    }
    await lastParagraph.locator('.kos-atom', { hasText: '12%' }).first().waitFor();
    assert.equal(await status.textContent(), 'Up to date');
  });

  it('a server that stops answering is reported within 5 s, and the status recovers when it answers again', async () => {
    const connection = writer.getByTestId('connection-status');
    const status = writer.getByTestId('extraction-status');
    await waitFor(async () => assert.equal(await connection.getAttribute('data-liveness'), 'ok', 'responsive before'), { timeout: 30_000, interval: 100 });
    const pid = app.server.child.pid;
    assert.ok(pid !== undefined, 'the server has a pid');
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await waitFor(async () => assert.match((await connection.textContent()) ?? '', /Server not responding/, 'connection status'), { timeout: 5_000, interval: 50 });
      const seenMs = Date.now() - stoppedAt;
      await waitFor(async () => assert.notEqual(await status.textContent(), 'Up to date', 'the panel no longer says up to date'), { timeout: 2_000, interval: 50 });
      console.error(`"Server not responding" shown ${seenMs} ms after SIGSTOP; panel: "${await status.textContent()}"`);
      // An edit made meanwhile waits for the server, and says so.
      await editorOf(writer).locator('p').first().click();
      await writer.keyboard.press('End');
      await writer.keyboard.type(' Noted.');
      await waitFor(async () => assert.match((await connection.textContent()) ?? '', /Saving… \(server not responding\)/, 'saving label'), { timeout: 5_000, interval: 50 });
      await shootBoth(writer, 'stalled');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => assert.equal(await connection.textContent(), 'Connected', 'recovered'), { timeout: 15_000, interval: 100 });
    await waitFor(async () => assert.equal(await status.textContent(), 'Up to date', 'panel recovered'), { timeout: 60_000, interval: 100 });
  });
});
