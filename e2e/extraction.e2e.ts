/**
 * Live extraction in two browsers: one person types the Quebec sentence, the other sees the
 * highlights and the panel entries; a manual atom stays attached while the text around it is
 * edited, and is shown as orphaned when its text is deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type App } from './support';

const QUEBEC = 'In Quebec, the withholding rate is 10% for amounts over $5,000, effective January 1, 2026.';
const editorOf = (page: Page) => page.getByTestId('editor').locator('.ProseMirror');

/** Paragraph texts as a reader sees them: without the other people's caret labels. */
function paragraphs(page: Page): Promise<string[]> {
  return editorOf(page).locator('p').evaluateAll((els) =>
    els.map((el) => {
      const copy = el.cloneNode(true) as Element;
      copy.querySelectorAll('.collaboration-carets__caret').forEach((caret) => caret.remove());
      return copy.textContent ?? '';
    }),
  );
}

async function waitForParagraph(page: Page, text: string) {
  const deadline = Date.now() + 10_000;
  while (!(await paragraphs(page)).includes(text)) {
    if (Date.now() > deadline) assert.fail(`no paragraph "${text}" in ${JSON.stringify(await paragraphs(page))}`);
    await page.waitForTimeout(50);
  }
}

async function openDocument(page: Page, path: string) {
  await page.goto(path);
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
}

describe('live extraction in Chromium', { timeout: 180_000 }, () => {
  let app: App;
  let writer: Page;
  let reader: Page;

  before(async () => {
    app = await startApp();
    writer = (await app.newUser('Ada')).page;
    reader = (await app.newUser('Grace')).page;
    for (const page of [writer, reader]) page.setDefaultTimeout(10_000);
    await writer.goto('/');
    await writer.getByTestId('new-document').click();
    await writer.waitForURL(/\/d\/[0-9a-f-]{36}$/);
    const path = new URL(writer.url()).pathname;
    await openDocument(writer, path);
    await openDocument(reader, path);
  });
  after(async () => {
    await app?.close();
  });

  it('the Quebec sentence typed by one person is highlighted in the other person’s browser, with panel entries', async () => {
    await editorOf(writer).click();
    await writer.keyboard.type(QUEBEC);
    const typedAt = Date.now();

    const atom = (page: Page, type: string, text: string) =>
      editorOf(page).locator(`.kos-atom[data-atom-type="${type}"]`, { hasText: text }).first();
    await atom(reader, 'NumberAtom', '10%').waitFor();
    const seenAfterMs = Date.now() - typedAt;
    await atom(reader, 'TextAtom', 'Quebec').waitFor();
    await atom(reader, 'NumberAtom', '$5,000').waitFor();
    await atom(reader, 'DateAtom', 'January 1, 2026').waitFor();
    await editorOf(reader).locator('.kos-molecule').first().waitFor();
    console.error(`highlight visible in the other browser ${seenAfterMs} ms after the last keystroke`);

    // Hover card: type, value, canonical form, name, and the rule it belongs to.
    await atom(reader, 'NumberAtom', '10%').hover();
    const card = reader.getByTestId('annotation-card');
    await card.waitFor();
    const cardText = await card.innerText();
    for (const expected of ['10%', '0.1', 'Quebec withholding rate']) assert.ok(cardText.includes(expected), `card shows ${expected}: ${cardText}`);

    // Panels: atoms grouped by type, the rule in plain words.
    const panel = reader.getByTestId('knowledge-panel');
    await panel.getByTestId('atoms-tab').click();
    assert.ok((await panel.locator('[data-testid="atom-item"][data-atom-type="NumberAtom"]').count()) >= 2, 'two number atoms listed');
    await panel.getByTestId('molecules-tab').click();
    const rule = panel.locator('[data-testid="molecule-item"][data-molecule-type="ConditionMolecule"]').first();
    await rule.waitFor();
    assert.match(await rule.innerText(), /Quebec/);
    await reader.getByTestId('extraction-status').and(reader.locator('[data-state="idle"]')).waitFor();
  });

  it('turning the atoms layer off hides the atom highlights but keeps the rule', async () => {
    await reader.getByTestId('layer-toggle-atoms').uncheck();
    await editorOf(reader).locator('.kos-atom').first().waitFor({ state: 'detached' });
    assert.ok((await editorOf(reader).locator('.kos-molecule').count()) > 0, 'molecules still drawn');
    await reader.getByTestId('layer-toggle-atoms').check();
    await editorOf(reader).locator('.kos-atom').first().waitFor();
  });

  it('a manual atom stays on its text while someone else edits before it, and is orphaned when its text is deleted', async () => {
    // The writer adds a paragraph and marks "late fee" in it.
    await editorOf(writer).click();
    await writer.keyboard.press('Control+End');
    await writer.keyboard.press('Enter');
    await writer.keyboard.type('The late fee is waived for members.');
    const paragraph = editorOf(writer).locator('p', { hasText: 'The late fee is waived' });
    await paragraph.waitFor();
    // Select "late fee" with the keyboard: Home, move 4 right, shift-select 8.
    await paragraph.click();
    await writer.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await writer.keyboard.press('ArrowRight');
    for (let i = 0; i < 8; i++) await writer.keyboard.press('Shift+ArrowRight');
    await writer.getByTestId('mark-as-atom-button').click();
    const dialog = writer.getByTestId('mark-as-atom-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('mark-as-atom-type').selectOption('TextAtom');
    await dialog.getByTestId('mark-as-atom-name').fill('Late fee');
    await dialog.getByTestId('mark-as-atom-submit').click();
    await dialog.waitFor({ state: 'detached' });
    const manual = (page: Page) => editorOf(page).locator('.kos-atom', { hasText: 'late fee' });
    await manual(reader).first().waitFor();
    const manualId = await manual(reader).first().getAttribute('data-knowledge-id');

    // The reader types at the start of that paragraph: the highlight stays on "late fee".
    const readerParagraph = editorOf(reader).locator('p', { hasText: 'waived for members' });
    await readerParagraph.click();
    await reader.keyboard.press('Home');
    await reader.keyboard.type('Note: ');
    await waitForParagraph(writer, 'Note: The late fee is waived for members.');
    // After the server has re-anchored it, both browsers still highlight exactly "late fee".
    await reader.waitForTimeout(1500);
    for (const page of [reader, writer]) {
      const span = editorOf(page).locator(`.kos-atom[data-knowledge-id="${manualId}"]`);
      await span.first().waitFor();
      assert.equal((await span.allInnerTexts()).join(''), 'late fee');
    }

    // The writer deletes the words: the reader's panel lists the atom as orphaned.
    const writerParagraph = editorOf(writer).locator('p', { hasText: 'waived for members' });
    await writerParagraph.click();
    await writer.keyboard.press('End');
    for (let i = 0; i < 'late fee is waived for members.'.length; i++) await writer.keyboard.press('Backspace');
    await reader.getByTestId('orphaned-item').first().waitFor({ timeout: 15_000 });
    assert.match(await reader.getByTestId('orphaned-item').first().innerText(), /late fee/);
  });
});
