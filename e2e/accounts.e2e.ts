/**
 * Accounts in Chromium: two organisations that cannot see each other's documents, a developer
 * invited by link who can read a document but not change it, and a product owner who reads the
 * document's rule in plain words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startApp, type App } from './support';

const RULE = 'In Quebec, the withholding rate is 10% for amounts over $5,000.';
const PASSWORD = 'correct horse battery';
const editorOf = (page: Page) => page.getByTestId('editor').locator('.ProseMirror');

async function signUp(page: Page, person: { name: string; email: string; organisation?: string }) {
  await page.getByTestId('sign-up-form').waitFor();
  await page.getByTestId('name').fill(person.name);
  await page.getByTestId('email').fill(person.email);
  await page.getByTestId('password').fill(PASSWORD);
  if (person.organisation) await page.getByTestId('organisation').fill(person.organisation);
  await page.getByTestId('submit').click();
}

/** Signs up through an invite link: the invite page, "Create an account", back to the invite, Join. */
async function joinByInvite(page: Page, url: string, person: { name: string; email: string }, persona: RegExp) {
  await page.goto(url);
  await page.getByTestId('invite-organisation').waitFor();
  assert.equal(await page.getByTestId('invite-organisation').innerText(), 'Org A');
  assert.match(await page.getByTestId('invite-persona').innerText(), persona);
  await page.getByTestId('invite-sign-up').click();
  await signUp(page, person);
  await page.waitForURL((u) => u.pathname === new URL(url).pathname);
  await page.getByTestId('invite-join').click();
  await page.waitForURL((u) => u.pathname === '/');
}

async function createInvite(page: Page, persona: 'developer' | 'product_owner'): Promise<string> {
  await page.goto('/settings/members');
  await page.getByTestId('members-page').waitFor();
  await page.getByTestId('invite-persona-select').selectOption(persona);
  await page.getByTestId('create-invite').click();
  const input = page.getByTestId('invite-url');
  await input.waitFor();
  return input.inputValue();
}

describe('accounts, organisations and personas in Chromium', { timeout: 120_000 }, () => {
  let app: App;
  let ann: Page;
  let documentPath: string;

  before(async () => {
    app = await startApp();
    ann = (await app.newUser('Ann', { signIn: 'none' })).page;
    ann.setDefaultTimeout(15_000);
  });
  after(async () => {
    await app?.close();
  });

  it('a signed-out visitor is sent to sign in; Ann signs up with her organisation and writes a rule', async () => {
    await ann.goto('/');
    await ann.waitForURL((u) => u.pathname === '/signin');
    await ann.getByRole('link', { name: 'Create one' }).click();
    await signUp(ann, { name: 'Ann', email: 'ann@a.example', organisation: 'Org A' });
    await ann.getByTestId('new-document').click();
    await ann.waitForURL(/\/d\/[0-9a-f-]{36}$/);
    documentPath = new URL(ann.url()).pathname;
    await ann.getByTestId('connection-status').and(ann.locator('[data-state="connected"]')).waitFor();
    assert.equal(await ann.getByTestId('persona').innerText(), 'Domain expert');
    await editorOf(ann).click();
    await ann.keyboard.type(RULE);
    // Extracted: the rule is highlighted, so it has been stored.
    await editorOf(ann).locator('.kos-molecule').first().waitFor({ timeout: 30_000 });
  });

  it('Ben, in another organisation, neither lists nor opens Ann’s document', async () => {
    const ben = (await app.newUser('Ben', { signIn: 'none' })).page;
    ben.setDefaultTimeout(15_000);
    await ben.goto('/signup');
    await signUp(ben, { name: 'Ben', email: 'ben@b.example', organisation: 'Org B' });
    await ben.getByTestId('documents-empty').waitFor();
    assert.equal(await ben.getByTestId('organisation-switcher').locator('option:checked').innerText(), 'Org B');
    const listed = await ben.request.get('/api/documents');
    assert.equal(listed.status(), 200);
    assert.doesNotMatch(await listed.text(), new RegExp(documentPath.slice(3)));

    await ben.goto(documentPath);
    await ben.getByTestId('document-not-found').waitFor();
    assert.equal(await editorOf(ben).count(), 0);

    await ben.getByTestId('sign-out').click();
    await ben.waitForURL((u) => u.pathname === '/signin');
    await ben.getByTestId('local-sign-in').waitFor();
  });

  it('an invited developer reads the document but cannot type into it', async () => {
    const url = await createInvite(ann, 'developer');
    const dev = (await app.newUser('Dev', { signIn: 'none' })).page;
    dev.setDefaultTimeout(15_000);
    await joinByInvite(dev, url, { name: 'Dev', email: 'dev@a.example' }, /developer/);
    assert.equal(await dev.getByTestId('persona').innerText(), 'Developer');

    await dev.getByTestId('document-link').first().click();
    await dev.waitForURL((u) => u.pathname === documentPath);
    await editorOf(dev).getByText('withholding rate is 10%').waitFor();
    assert.equal(await dev.getByTestId('read-only-badge').innerText(), 'read only (developer)');
    assert.equal(await dev.getByTestId('editor').getAttribute('data-editable'), 'false');
    assert.equal(await editorOf(dev).getAttribute('contenteditable'), 'false');

    await editorOf(dev).click();
    await dev.keyboard.press('End');
    await dev.keyboard.type(' HACKED');
    await dev.keyboard.press('Enter');
    await dev.waitForTimeout(500);
    assert.equal(await editorOf(dev).innerText(), RULE);
    // Nothing the developer did reached the server, and the connection was not refused.
    const blocks = await dev.request.get(`/api/documents/${documentPath.slice(3)}/blocks`);
    assert.equal(blocks.status(), 200);
    const text = await blocks.text();
    assert.match(text, /withholding rate is 10%/);
    assert.doesNotMatch(text, /HACKED/);
    assert.equal(await dev.getByTestId('editor-closed').count(), 0);
  });

  it('an invited product owner sees the product view with the rule in plain words', async () => {
    const url = await createInvite(ann, 'product_owner');
    const po = (await app.newUser('Pia', { signIn: 'none' })).page;
    po.setDefaultTimeout(15_000);
    await joinByInvite(po, url, { name: 'Pia', email: 'pia@a.example' }, /product owner/);
    assert.equal(await po.getByTestId('persona').innerText(), 'Product owner');
    await po.getByTestId('product-view').waitFor();
    const rule = po.getByTestId('product-document').getByTestId('product-rule').first();
    await rule.waitFor();
    const words = await rule.innerText();
    assert.match(words, /10%/, words);
    assert.match(words, /Quebec|5,000/i, words);

    // The admin's audit log records the invites, newest first.
    await ann.goto('/admin/audit');
    await ann.getByTestId('audit-resource').selectOption('invite');
    await ann.getByTestId('audit-entry').first().waitFor();
    assert.ok((await ann.getByTestId('audit-entry').count()) >= 2, 'both invites are in the audit log');
  });
});
