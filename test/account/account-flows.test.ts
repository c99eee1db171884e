/**
 * Self-registration and password reset through the pages, with a real SMTP
 * server in the test process reading the mailed links (docs/account.md).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { authorizeWithLogin } from '../helpers/flow.js';
import { createAccountDeps } from '../../src/account/account-service.js';
import { requestRegistration } from '../../src/account/registration.js';
import { hashPassword } from '../../src/users/password-hash.js';
import { addUser } from '../../src/users/user-admin.js';

const csrfOf = (html: string) => html.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
const linkIn = (text: string) => text.match(/https?:\/\/\S+/)?.[0] ?? '';
const post = (jar: CookieJar, url: string, fields: Record<string, string>) =>
  jar.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });

let s: TestServer;
let smtp: TestSmtpServer;
/** Everything the provider logs, at every level, with the access log on. */
const logLines: string[] = [];
const logger = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

beforeAll(async () => {
  smtp = await startSmtpServer();
  s = await startTestServer({
    mutate: (c) => {
      c.account = { registration: true, passwordReset: true, deletion: true, requestsPerIp: 100 };
      c.email = { from: 'Gatehouse <no-reply@example.test>', smtp: { host: '127.0.0.1', port: smtp.port } };
      c.server = { ...c.server, accessLog: true };
    },
    options: { logger },
  });
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

/** GETs a form page and POSTs it with its CSRF token. */
async function submit(jar: CookieJar, url: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
  const html = await (await jar.fetch(url)).text();
  const res = await post(jar, url, { csrf: csrfOf(html), ...fields });
  return { status: res.status, html: await res.text() };
}

async function register(email: string, password = 'correct horse battery') {
  return submit(new CookieJar(), `${s.url}/ui/account/register`, { email, password, password_confirm: password });
}

describe('self-registration', () => {
  it('registers, mails a verification link, and the account works after the link is used (once)', async () => {
    const { status, html } = await register('ada@example.test');
    expect(status).toBe(200);
    expect(html).toContain('Check your email');
    // Not usable before verification.
    expect((await s.gh.context.users.login('ada@example.test', 'correct horse battery')).ok).toBe(false);
    const mail = await smtp.next('ada@example.test');
    expect(mail.subject).toBe('Confirm your Gatehouse account');
    const link = linkIn(mail.text);
    expect(link).toMatch(/\/ui\/account\/verify\?token=[A-Za-z0-9_-]{43}$/);
    // The store holds only the hash of the link's token.
    const token = new URL(link).searchParams.get('token')!;
    expect(await s.gh.context.stores.accountLinks.findRegistration(token)).toBeUndefined();

    const jar = new CookieJar();
    const page = await (await jar.fetch(link)).text();
    expect(page).toContain('Confirm your email address');
    const done = await post(jar, link, { csrf: csrfOf(page), token });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your account is ready');
    const login = await s.gh.context.users.login('ada@example.test', 'correct horse battery');
    expect(login.ok && login.user.claims).toEqual({ email: 'ada@example.test', email_verified: true });
    // Signing in through the login page works too.
    const flow = await authorizeWithLogin(s.url, { username: 'ada@example.test', password: 'correct horse battery' });
    expect(flow.code).not.toBe('');

    const again = await post(jar, link, { csrf: csrfOf(page), token });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('not valid or was already used');
    expect((await jar.fetch(link)).status).toBe(400);
  });

  it('gives an address already in use the same answer and mails its owner instead', async () => {
    await addUser(s.gh.context.backend, { username: 'taken@example.test', password: 'an old password', claims: { email: 'taken@example.test' } });
    const fresh = await register('new-one@example.test');
    const taken = await register('taken@example.test');
    expect(taken.status).toBe(fresh.status);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(taken.html)).toBe(strip(fresh.html));
    const mail = await smtp.next('taken@example.test');
    expect(mail.subject).toBe('Your Gatehouse account');
    expect(mail.text).toContain('already has an account');
    expect(mail.text).toMatch(/\/ui\/account\/reset\b/);
    expect(mail.text).not.toMatch(/token=/);
    // The old password still works; nothing was changed.
    expect((await s.gh.context.users.login('taken@example.test', 'an old password')).ok).toBe(true);
  });

  it('does the same hashing work for a new and a known address (no enumeration by timing)', async () => {
    let hashes = 0;
    const counting = (password: string) => {
      hashes++;
      return hashPassword(password);
    };
    const deps = createAccountDeps(s.gh.context, { verify: `${s.url}/v`, reset: `${s.url}/r`, resetRequest: `${s.url}/rr` }, counting);
    await requestRegistration(deps, { email: 'timing-new@example.test', password: 'long enough password', confirmation: 'long enough password', locale: 'en' });
    const forNew = hashes;
    await requestRegistration(deps, { email: 'taken@example.test', password: 'long enough password', confirmation: 'long enough password', locale: 'en' });
    expect(forNew).toBe(1);
    expect(hashes - forNew).toBe(forNew);
    await s.gh.context.background.idle();
  });

  it('refuses a weak password, a mismatch and a bad address with the form again', async () => {
    const short = await register('weak@example.test', 'short');
    expect(short.status).toBe(400);
    expect(short.html).toContain('at least 10 characters');
    const mismatch = await submit(new CookieJar(), `${s.url}/ui/account/register`, {
      email: 'weak@example.test',
      password: 'long enough one',
      password_confirm: 'long enough two',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.html).toContain('do not match');
    const bad = await register('not-an-address');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('valid email address');
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await post(new CookieJar(), `${s.url}/ui/account/register`, {
      email: 'csrf@example.test',
      password: 'long enough pw',
      password_confirm: 'long enough pw',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Please try again');
    await s.gh.context.background.idle();
    expect(smtp.to('csrf@example.test')).toEqual([]);
  });

  it('refuses an expired verification link', async () => {
    await register('late@example.test');
    const link = linkIn((await smtp.next('late@example.test')).text);
    s.clock.advance(86400 + 1);
    const res = await new CookieJar().fetch(link);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired');
    expect(await s.gh.context.users.findByUsername('late@example.test')).toBeUndefined();
  });

  it('speaks German when asked (page and mail)', async () => {
    const res = await submit(new CookieJar(), `${s.url}/ui/account/register?ui_locales=de`, {
      email: 'de@example.test',
      password: 'ein langes Passwort',
      password_confirm: 'ein langes Passwort',
    });
    expect(res.html).toContain('Sehen Sie in Ihre E-Mails');
    const mail = await smtp.next('de@example.test');
    expect(mail.subject).toBe('Bestätigen Sie Ihr Gatehouse-Konto');
    expect(linkIn(mail.text)).toContain('ui_locales=de');
  });
});

describe('password reset', () => {
  const email = 'reset@example.test';
  beforeAll(async () => {
    await addUser(s.gh.context.backend, { username: email, password: 'the first password', claims: { email } });
  });

  async function requestLink(to = email, locales = ''): Promise<string> {
    const before = smtp.to(to).length;
    const res = await submit(new CookieJar(), `${s.url}/ui/account/reset${locales}`, { email: to });
    expect(res.status).toBe(200);
    return linkIn((await smtp.next(to, before)).text);
  }

  it('mails a single-use link that sets the password and ends every session of the user', async () => {
    const signedIn = await authorizeWithLogin(s.url, { username: email, password: 'the first password' });
    expect((await signedIn.jar.fetch(`${s.url}/ui/account`)).status).toBe(200);
    const link = await requestLink();
    expect(link).toMatch(/\/ui\/account\/reset\/confirm\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(link).searchParams.get('token')!;
    const jar = new CookieJar();
    const page = await (await jar.fetch(link)).text();
    expect(page).toContain('Choose a new password');
    const done = await post(jar, link, { csrf: csrfOf(page), token, password: 'the second password', password_confirm: 'the second password' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Password changed');
    expect((await s.gh.context.users.login(email, 'the second password')).ok).toBe(true);
    expect((await s.gh.context.users.login(email, 'the first password')).ok).toBe(false);
    // The session of the other browser is gone.
    const after = await signedIn.jar.fetch(`${s.url}/ui/account`);
    expect(after.status).toBe(303);

    const reused = await post(jar, link, { csrf: csrfOf(page), token, password: 'a third password', password_confirm: 'a third password' });
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('not valid or was already used');
    expect((await s.gh.context.users.login(email, 'the second password')).ok).toBe(true);
  });

  it('refuses an expired link', async () => {
    const link = await requestLink();
    s.clock.advance(900 + 1);
    const jar = new CookieJar();
    const res = await jar.fetch(link);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link has expired');
  });

  it('keeps the link usable when the new password is refused', async () => {
    const link = await requestLink();
    const token = new URL(link).searchParams.get('token')!;
    const jar = new CookieJar();
    const page = await (await jar.fetch(link)).text();
    const weak = await post(jar, link, { csrf: csrfOf(page), token, password: 'short', password_confirm: 'short' });
    expect(weak.status).toBe(400);
    const noCsrf = await post(jar, link, { token, password: 'a good new password', password_confirm: 'a good new password' });
    expect(noCsrf.status).toBe(403);
    const ok = await post(jar, link, { csrf: csrfOf(page), token, password: 'a good new password', password_confirm: 'a good new password' });
    expect(ok.status).toBe(200);
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const known = await submit(new CookieJar(), `${s.url}/ui/account/reset`, { email: 'reset@example.test' });
    const unknown = await submit(new CookieJar(), `${s.url}/ui/account/reset`, { email: 'nobody@example.test' });
    expect(unknown.status).toBe(known.status);
    expect(unknown.html.replace(/value="[^"]*"/g, '')).toBe(known.html.replace(/value="[^"]*"/g, ''));
    await s.gh.context.background.idle();
    expect(smtp.to('nobody@example.test')).toEqual([]);
  });

  it('limits requests per email address', async () => {
    const target = 'limited@example.test';
    s.clock.advance(120);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await submit(new CookieJar(), `${s.url}/ui/account/reset`, { email: target })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('never answers a 5xx to odd input', async () => {
    const jar = new CookieJar();
    for (const url of [
      '/ui/account/reset/confirm',
      '/ui/account/reset/confirm?token=x',
      '/ui/account/verify?token=' + 'a'.repeat(43),
      '/ui/account/verify?token=a&token=b',
    ]) {
      expect((await jar.fetch(s.url + url)).status).toBeLessThan(500);
    }
    const res = await post(jar, `${s.url}/ui/account/reset`, { email: 'x'.repeat(5000) });
    expect(res.status).toBeLessThan(500);
  });
});

describe('logs', () => {
  it('never hold a mailed link token, a password or a message body', async () => {
    await s.gh.context.background.idle();
    const tokens = smtp.mails.flatMap((m) => [...m.text.matchAll(/token=([A-Za-z0-9_-]{43})/g)].map((x) => x[1]));
    expect(tokens.length).toBeGreaterThan(3);
    const log = logLines.join('');
    expect(log).toContain('account mail sent');
    for (const token of tokens) expect(log).not.toContain(token);
    for (const secret of ['correct horse battery', 'the second password', 'Hello,']) expect(log).not.toContain(secret);
  });
});
