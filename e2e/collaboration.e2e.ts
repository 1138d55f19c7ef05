/**
 * Two people in two browser contexts on one document: live text, carets with names, the "/"
 * menu, markdown shortcuts, reload, and the `blocks` rows matching what is on screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type App } from './support';
import { waitFor } from '../test/support/waitFor';

interface ApiBlock {
  id: string;
  parentId: string | null;
  position: number;
  blockType: string;
  content: { rich_text?: Array<{ text: string }> };
}

const editorOf = (page: Page) => page.getByTestId('editor').locator('.ProseMirror');

async function openDocument(page: Page, url: string) {
  await page.goto(url);
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
}

/** Top-level blocks as the browser shows them: id, tag, text. */
function screenBlocks(page: Page) {
  return editorOf(page).evaluate((root) =>
    Array.from(root.children)
      .filter((el) => el.hasAttribute('data-id'))
      .map((el) => {
        // The other people's carets (with their name labels) are drawn inside the text.
        const copy = el.cloneNode(true) as Element;
        copy.querySelectorAll('.collaboration-carets__caret').forEach((caret) => caret.remove());
        return { id: el.getAttribute('data-id'), tag: el.tagName.toLowerCase(), text: copy.textContent ?? '' };
      }),
  );
}

describe('two people editing one document in Chromium', { timeout: 180_000 }, () => {
  let app: App;
  let ada: Page;
  let grace: Page;
  let documentUrl: string;

  before(async () => {
    app = await startApp();
    ada = (await app.newUser('Ada')).page;
    grace = (await app.newUser('Grace')).page;
    for (const page of [ada, grace]) page.setDefaultTimeout(10_000);
  });
  after(async () => {
    await app?.close();
  });

  it('creates a document from the home page and both people join it', async () => {
    await ada.goto('/');
    await ada.getByTestId('new-document').click();
    await ada.waitForURL(/\/d\/[0-9a-f-]{36}$/);
    documentUrl = new URL(ada.url()).pathname;
    await openDocument(ada, documentUrl);
    await openDocument(grace, documentUrl);
    await waitFor(async () => assert.equal(await ada.getByTestId('presence-user').count(), 2), { timeout: 10_000 });
  });

  it('each sees the other type, live, with the other’s caret and name', async () => {
    await editorOf(ada).click();
    await ada.keyboard.type('Withholding rates by province');
    await editorOf(grace).getByText('Withholding rates by province').waitFor({ timeout: 5000 });

    await editorOf(grace).click();
    await grace.keyboard.press('End');
    await grace.keyboard.press('Enter');
    await grace.keyboard.type('Quebec applies its own rate.');
    await editorOf(ada).getByText('Quebec applies its own rate.').waitFor({ timeout: 5000 });

    // Each one's caret, labelled with the other's name, is drawn in the other's editor.
    const graceCaretAtAda = editorOf(ada).locator('.collaboration-carets__label', { hasText: 'Grace' });
    await graceCaretAtAda.waitFor({ timeout: 5000 });
    await editorOf(ada).click();
    await ada.keyboard.type(' ');
    await editorOf(grace).locator('.collaboration-carets__label', { hasText: 'Ada' }).waitFor({ timeout: 5000 });
    // The caret is redrawn whenever Ada's cursor moves, so the element read may just have been
    // replaced (a detached element has no computed style): read it again until it holds.
    const adaCaret = editorOf(grace).locator('.collaboration-carets__caret', { has: grace.locator('.collaboration-carets__label', { hasText: 'Ada' }) });
    await waitFor(async () => {
      const colour = await adaCaret.evaluate((el) => (el.isConnected ? getComputedStyle(el).borderLeftColor : 'detached'));
      // startApp gives Ada #e11d48 (odd-length name).
      assert.equal(colour, 'rgb(225, 29, 72)');
    }, { timeout: 5000 });
  });

  it('"/" opens the block menu and inserts a heading; markdown shortcuts make blocks too', async () => {
    await editorOf(ada).click();
    await ada.keyboard.press('Control+End');
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('/');
    await ada.getByTestId('slash-menu').waitFor();
    await ada.keyboard.type('heading');
    await ada.getByTestId('slash-item-heading_2').click();
    await ada.keyboard.type('Thresholds');
    await editorOf(ada).locator('h2', { hasText: 'Thresholds' }).waitFor();
    await editorOf(grace).locator('h2', { hasText: 'Thresholds' }).waitFor({ timeout: 5000 });
    assert.equal(await ada.getByTestId('slash-menu').count(), 0, 'the menu closes after inserting');

    await ada.keyboard.press('Enter');
    await ada.keyboard.type('- Amounts over $5,000');
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('Amounts under $5,000');
    await ada.keyboard.press('Enter');
    await ada.keyboard.press('Enter'); // an empty item ends the list
    await ada.keyboard.type('> Effective January 1, 2026.');
    await editorOf(grace).locator('ul > li', { hasText: 'Amounts under $5,000' }).waitFor({ timeout: 5000 });
    await editorOf(grace).locator('blockquote', { hasText: 'Effective January 1, 2026.' }).waitFor({ timeout: 5000 });
  });

  it('the blocks rows match what is on screen, in order, with stable ids', async () => {
    const expectedTypes: Record<string, string> = { p: 'paragraph', h2: 'heading_2', ul: 'bulleted_list_item', blockquote: 'quote' };
    const rows = await waitFor(
      async () => {
        const response = await ada.request.get(`/api/documents/${documentUrl.split('/').pop()}/blocks`);
        assert.equal(response.status(), 200);
        const { blocks } = (await response.json()) as { blocks: ApiBlock[] };
        const screen = await screenBlocks(ada);
        const items = await editorOf(ada).locator('ul > li[data-id]').evaluateAll((els) =>
          els.map((el) => {
            const copy = el.cloneNode(true) as Element;
            copy.querySelectorAll('.collaboration-carets__caret').forEach((caret) => caret.remove());
            return { id: el.getAttribute('data-id'), text: copy.textContent ?? '' };
          }),
        );
        const topLevel = blocks.filter((b) => b.parentId === null).sort((a, b) => a.position - b.position);
        const text = (b: ApiBlock) => (b.content.rich_text ?? []).map((s) => s.text).join('');
        // Paragraphs, heading and quote are top-level rows in screen order; list items are rows too.
        const screenTopLevel = screen.filter((s) => s.tag !== 'ul');
        const rowsTopLevel = topLevel.filter((b) => b.blockType !== 'bulleted_list_item');
        assert.deepEqual(
          rowsTopLevel.map((b) => [b.id, b.blockType, text(b)]),
          screenTopLevel.map((s) => [s.id, expectedTypes[s.tag], s.text]),
        );
        const listRows = blocks.filter((b) => b.blockType === 'bulleted_list_item').sort((a, b) => a.position - b.position);
        assert.deepEqual(listRows.map((b) => [b.id, text(b)]), items.map((i) => [i.id, i.text]));
        return blocks;
      },
      { timeout: 5000, interval: 100 },
    );
    assert.ok(rows.length >= 6, `expected at least 6 blocks, got ${rows.length}`);
  });

  it('reload keeps everything, with the same block ids', async () => {
    const before = await screenBlocks(ada);
    await ada.reload();
    await openDocument(ada, documentUrl);
    await editorOf(ada).locator('blockquote', { hasText: 'Effective January 1, 2026.' }).waitFor();
    assert.deepEqual(await screenBlocks(ada), before);
    // The other person, still connected, sees the same document.
    assert.deepEqual(await screenBlocks(grace), before);
  });

  it('the drag handle moves a block: its id goes with it, the other person and the rows follow', async () => {
    const before = await screenBlocks(ada);
    const quote = before.find((block) => block.tag === 'blockquote');
    const heading = before.find((block) => block.tag === 'h2');
    assert.ok(quote && heading, 'the document has the quote and the heading');
    // Hovering a block shows its grip; dragging the grip above the heading moves the quote there.
    const quoteBox = await editorOf(ada).locator('blockquote').boundingBox();
    const headingBox = await editorOf(ada).locator('h2').boundingBox();
    assert.ok(quoteBox && headingBox);
    await ada.mouse.move(quoteBox.x + 20, quoteBox.y + quoteBox.height / 2);
    const grip = ada.getByTestId('drag-handle');
    await grip.waitFor({ state: 'visible' });
    const gripBox = await grip.boundingBox();
    assert.ok(gripBox);
    await ada.mouse.move(gripBox.x + gripBox.width / 2, gripBox.y + gripBox.height / 2);
    await ada.mouse.down();
    await ada.mouse.move(headingBox.x + 40, headingBox.y + 4, { steps: 8 });
    await ada.mouse.move(headingBox.x + 40, headingBox.y + 2, { steps: 2 });
    await ada.mouse.up();

    const expected = [...before.filter((block) => block.id !== quote.id)];
    expected.splice(expected.findIndex((block) => block.id === heading.id), 0, quote);
    await waitFor(async () => assert.deepEqual(await screenBlocks(ada), expected, 'the quote is now above the heading, same id'), { timeout: 5000, interval: 100 });
    await waitFor(async () => assert.deepEqual(await screenBlocks(grace), expected, 'the other person sees the move'), { timeout: 5000, interval: 100 });
    await waitFor(
      async () => {
        const response = await ada.request.get(`/api/documents/${documentUrl.split('/').pop()}/blocks`);
        const { blocks } = (await response.json()) as { blocks: ApiBlock[] };
        const order = blocks.filter((b) => b.parentId === null && b.blockType !== 'bulleted_list_item')
          .sort((a, b) => a.position - b.position).map((b) => b.id);
        assert.deepEqual(order, expected.filter((block) => block.tag !== 'ul').map((block) => block.id), 'the rows are in the new order');
      },
      { timeout: 5000, interval: 100 },
    );
  });
});
