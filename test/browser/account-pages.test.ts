/**
 * Every account page in Chromium, driven through its forms: an axe-core
 * accessibility check of each (no serious or critical violation), and with
 * UPDATE_SCREENSHOTS=1 a screenshot of each into docs/screenshots/.
 * The pages work without JavaScript; axe is injected by the test only.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { addUser } from '../../src/users/user-admin.js';

const skip = requirePrograms(['chromium']);
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const linkIn = (text: string) => text.match(/https?:\/\/\S+/)?.[0] ?? '';

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[];
}

describe.skipIf(!!skip)('account pages in Chromium', () => {
  let s: TestServer;
  let smtp: TestSmtpServer;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const checked: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({
      mutate: (c) => {
        c.account = { registration: true, passwordReset: true, deletion: true };
        c.email = { from: 'Gatehouse <no-reply@example.test>', smtp: { host: '127.0.0.1', port: smtp.port } };
      },
    });
    browser = await launchBrowser();
    // The pages' CSP allows no inline script: only the test's axe injection bypasses it.
    context = await browser.newContext({ viewport: { width: 800, height: 720 }, deviceScaleFactor: 1, bypassCSP: true, colorScheme: 'light' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.close();
    await smtp?.close();
  });

  /** axe on the current page: no serious or critical violation; a screenshot when asked. */
  async function check(name: string): Promise<void> {
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${name}: ${v.id} (${v.help}) at ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
    checked.push(name);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
    }
  }

  it('registration: form, error, sent, verification, verified', async () => {
    await page.goto(`${s.url}/ui/account/register`);
    await check('account-register');
    await page.fill('#email', 'grace@example.test');
    await page.fill('#new-password', 'short');
    await page.fill('#new-confirm', 'short');
    // The browser's own minlength check would stop the form: the server's answer is what is tested.
    await page.evaluate(() => document.querySelector('form')!.setAttribute('novalidate', ''));
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('at least 10 characters');
    await check('account-register-error');
    await page.fill('#new-password', 'a long enough password');
    await page.fill('#new-confirm', 'a long enough password');
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toBe('Check your email');
    await check('account-register-sent');
    const link = linkIn((await smtp.next('grace@example.test')).text);
    await page.goto(link);
    await check('account-verify');
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toBe('Your account is ready');
    await check('account-verified');
    await page.goto(link);
    expect(await page.textContent('h1')).toBe('This link cannot be used');
    await check('account-link-invalid');
  });

  it('password reset: request, sent, new password, done', async () => {
    await page.goto(`${s.url}/ui/account/reset`);
    await check('account-reset');
    await page.fill('#email', 'grace@example.test');
    await page.click('button[type=submit]');
    await check('account-reset-sent');
    const link = linkIn((await smtp.next('grace@example.test', 1)).text);
    await page.goto(link);
    await check('account-reset-form');
    await page.fill('#new-password', 'another long password');
    await page.fill('#new-confirm', 'another long password');
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toBe('Password changed');
    await check('account-reset-done');
    expect((await s.gh.context.users.login('grace@example.test', 'another long password')).ok).toBe(true);
  });

  it('the signed-in account page (in German too), a password error, and deletion', async () => {
    await addUser(s.gh.context.backend, {
      username: 'hopper@example.test',
      password: 'hopper password',
      claims: { name: 'Grace Hopper', email: 'hopper@example.test' },
    });
    const flow = await authorizeWithLogin(s.url, { username: 'hopper@example.test', password: 'hopper password' });
    expect((await exchangeCode(s.url, flow.code, flow.verifier)).status).toBe(200);
    await context!.addCookies([{ name: 'gh.session', value: flow.jar.cookies.get('gh.session')!, url: s.url }]);
    await page.goto(`${s.url}/ui/account`);
    expect(await page.textContent('h1')).toBe('Your account');
    await check('account');
    await page.fill('#current-password', 'wrong password');
    await page.fill('#new-password', 'a brand new password');
    await page.fill('#new-confirm', 'a brand new password');
    await page.click('form[action="/ui/account/password"] button[type=submit]');
    expect(await page.textContent('[role=alert]')).toBe('The password is not correct.');
    await check('account-password-error');
    await page.goto(`${s.url}/ui/account?ui_locales=de`);
    expect(await page.textContent('h1')).toBe('Ihr Konto');
    await check('account-de');
    await page.goto(`${s.url}/ui/account`);
    await page.fill('#delete-password', 'hopper password');
    await page.click('form[action="/ui/account/delete"] button[type=submit]');
    expect(await page.textContent('h1')).toBe('Account deleted');
    await check('account-deleted');
    expect(await s.gh.context.users.findByUsername('hopper@example.test')).toBeUndefined();
  });

  it('checked every page', () => {
    expect(checked).toHaveLength(14);
  });
});
