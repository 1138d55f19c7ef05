/**
 * Live extraction in two browsers: one person types the Quebec sentence, the other sees the
 * highlights and the panel entries; a manual atom stays attached while the text around it is
 * edited, and is shown as orphaned when its text is deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startApp, type App } from './support';
import { waitFor } from '../test/support/waitFor';

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

/**
 * Puts the caret at the end of a paragraph: a click on its last line's right edge, then End, until
 * the selection is in it. Keys pressed after a click have gone to the caret's earlier place (once
 * in ~5 runs here, the test's later text landing in another paragraph), so it is checked.
 */
async function clickAtEnd(page: Page, paragraph: Locator) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const box = await paragraph.boundingBox();
    if (!box) throw new Error('the paragraph is not on screen');
    await page.mouse.click(box.x + box.width - 2, box.y + box.height - 4);
    await page.keyboard.press('End');
    const inside = await paragraph.evaluate((el) => {
      const selection = window.getSelection();
      return !!selection?.isCollapsed && !!selection.focusNode && el.contains(selection.focusNode);
    });
    if (inside) return;
    await page.waitForTimeout(100);
  }
  throw new Error('the caret did not stay in the paragraph');
}

/**
 * Waits until the page highlights `text` for one atom: its spans joined, as a highlight that
 * overlaps another annotation is drawn in pieces. On timeout, prints what the page has.
 */
async function waitForHighlight(page: Page, knowledgeId: string, text: string) {
  const spans = editorOf(page).locator(`.kos-atom[data-knowledge-id="${knowledgeId}"]`);
  await waitFor(async () => assert.equal((await spans.allTextContents()).join(''), text, `highlight of ${knowledgeId}`), { timeout: 10_000, interval: 50 }).catch(
    async (error: Error) => assert.fail(`${error.message}: ${JSON.stringify(await knowledgeView(page))}`),
  );
}

/** For diagnosis: the page's blocks (id, text) and highlights, and the server's annotations. */
async function knowledgeView(page: Page) {
  return page.evaluate(async () => {
    const blocks = [...document.querySelectorAll('.ProseMirror > [data-id]')].map((el) => [el.getAttribute('data-id'), el.textContent]);
    const highlights = [...document.querySelectorAll('.kos-atom, .kos-molecule')].map((el) => [el.getAttribute('data-annotation-id'), el.textContent]);
    const id = location.pathname.split('/').pop() ?? '';
    const response = await fetch(`/api/documents/${id}/knowledge`);
    const knowledge = (await response.json()) as { annotations?: Array<Record<string, unknown>> };
    const annotations = knowledge.annotations?.map((a) => [a.id, a.blockId, a.start, a.end, a.quote, a.status]);
    return { blocks, highlights, annotations };
  });
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
    // Extraction highlights "late fee" too. Arrow keys pressed while highlights were being redrawn
    // were lost (the writer marked "late ", once in ~20 runs) until the editor read the browser's
    // selection before a redraw (the last test); still select after it is done, and check.
    await editorOf(writer).locator('.kos-atom', { hasText: 'late fee' }).first().waitFor();
    await writer.getByTestId('extraction-status').and(writer.locator('[data-state="idle"]')).waitFor();
    for (let attempt = 1; ; attempt++) {
      // Select "late fee" with the keyboard: Home, move 4 right, shift-select 8.
      await paragraph.click();
      await writer.keyboard.press('Home');
      for (let i = 0; i < 4; i++) await writer.keyboard.press('ArrowRight');
      for (let i = 0; i < 8; i++) await writer.keyboard.press('Shift+ArrowRight');
      const selected = await writer.evaluate(() => window.getSelection()?.toString());
      if (selected === 'late fee') break;
      if (attempt === 5) assert.fail(`the writer's selection is "${selected}", not "late fee"`);
    }
    await writer.getByTestId('mark-as-atom-button').click();
    const dialog = writer.getByTestId('mark-as-atom-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('mark-as-atom-type').selectOption('TextAtom');
    await dialog.getByTestId('mark-as-atom-name').fill('Late fee');
    const created = writer.waitForResponse((response) => response.url().endsWith('/annotations') && response.request().method() === 'POST');
    await dialog.getByTestId('mark-as-atom-submit').click();
    await dialog.waitFor({ state: 'detached' });
    const manualId = ((await (await created).json()) as { atom: { id: string } }).atom.id;
    // The extracted TextAtom "late fee" is highlighted too, so the manual one is found by its id.
    await waitForHighlight(reader, manualId, 'late fee');

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
    await clickAtEnd(writer, editorOf(writer).locator('p', { hasText: 'waived for members' }));
    for (let i = 0; i < 'late fee is waived for members.'.length; i++) await writer.keyboard.press('Backspace');
    await reader.getByTestId('orphaned-item').first().waitFor({ timeout: 15_000 });
    // Listed by its name; its quote is the last text it covered, which may be what was left of
    // "late fee" when the server last re-anchored it during the deletion (seen: “la”).
    assert.match(await reader.getByTestId('orphaned-item').first().innerText(), /Late fee/);
  });

  it('someone whose live updates connect only after the page loaded still sees what was extracted meanwhile', async () => {
    // Linus's page loads its knowledge at once, but its event stream is held back while Ada types.
    const late = (await app.newUser('Linus')).page;
    late.setDefaultTimeout(10_000);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await late.route('**/events', async (route) => {
      await held;
      await route.continue();
    });
    // A document of its own: the earlier tests' text and carets do not matter here.
    await writer.goto('/');
    await writer.getByTestId('new-document').click();
    await writer.waitForURL(/\/d\/[0-9a-f-]{36}$/);
    await openDocument(writer, new URL(writer.url()).pathname);
    await openDocument(late, new URL(writer.url()).pathname);
    await late.getByTestId('extraction-status').waitFor();

    await editorOf(writer).click();
    await writer.keyboard.type('Members pay a fee of 25%.');
    const rate = (page: Page) => editorOf(page).locator('.kos-atom[data-atom-type="NumberAtom"]', { hasText: '25%' }).first();
    await rate(writer).waitFor();
    await waitForParagraph(late, 'Members pay a fee of 25%.');

    // Its stream opens after every event of that extraction was sent: the page catches up anyway.
    release();
    await rate(late).waitFor();
  });

  it('a selection moved with the keyboard is kept when highlights are redrawn before the browser reports it', async () => {
    // The writer's document of the test before: "Members pay a fee of 25%.", with 25% an atom.
    const panel = writer.getByTestId('knowledge-panel');
    await panel.getByTestId('atoms-tab').click();
    await panel.locator('[data-testid="atom-item"][data-atom-type="NumberAtom"]').first().waitFor();
    await editorOf(writer).locator('p', { hasText: 'Members pay' }).first().click();
    await writer.keyboard.press('Home');
    // As Shift+Arrow does: the browser moves the selection and tells the editor in a later task
    // (selectionchange). In between, in the same task, a click in the panel flashes the atom, which
    // redraws the highlights. Before the fix the editor put its stale selection back: "".
    const selected = await writer.evaluate(() => {
      const selection = window.getSelection();
      if (!selection) return null;
      for (let i = 0; i < 2; i++) selection.modify('extend', 'forward', 'word');
      document.querySelector<HTMLElement>('[data-testid="knowledge-panel"] [data-testid="atom-item"][data-atom-type="NumberAtom"]')?.click();
      return selection.toString();
    });
    await editorOf(writer).locator('.kos-flash').first().waitFor(); // the highlights were redrawn
    assert.equal(selected, 'Members pay');
  });
});
