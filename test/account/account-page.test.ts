/**
 * The signed-in account page through the form driver: change password,
 * active sessions, connected applications, deletion with re-authentication
 * (docs/account.md).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, basic, demoConfig, form, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode, type FlowResult } from '../helpers/flow.js';
import { addUser } from '../../src/users/user-admin.js';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/config/config-error.js';

const csrfOf = (html: string) => html.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
const sidsOf = (html: string) => [...html.matchAll(/name="sid" value="([^"]*)"/g)].map((m) => m[1]);
/** The sid of the session the page marks as this browser's. */
const ownSid = (html: string) => html.match(/This browser<\/strong>.*?name="sid" value="([^"]*)"/)?.[1] ?? '';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ mutate: (c) => (c.account = { deletion: true }) });
});
afterAll(async () => {
  await s?.close();
});

let n = 0;
/** A new SQL user signed in through the login page, with tokens for interactive.confidential. */
async function signedInUser(password = 'first password 1'): Promise<{ username: string; flow: FlowResult; refreshToken: string }> {
  const username = `user${++n}@example.test`;
  await addUser(s.gh.context.backend, { username, password, claims: { email: username, name: `User ${n}` } });
  const flow = await authorizeWithLogin(s.url, { username, password });
  const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
  expect(tokens.status).toBe(200);
  return { username, flow, refreshToken: tokens.body.refresh_token as string };
}

const refresh = (token: string) =>
  fetch(`${s.url}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic('interactive.confidential', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'refresh_token', refresh_token: token }),
  });

async function accountPage(jar: CookieJar): Promise<string> {
  const res = await jar.fetch(`${s.url}/ui/account`);
  expect(res.status).toBe(200);
  return res.text();
}

const post = (jar: CookieJar, path: string, fields: Record<string, string>) =>
  jar.fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });

describe('account page', () => {
  it('shows the profile, this session and the applications with access', async () => {
    const { username, flow } = await signedInUser();
    const html = await accountPage(flow.jar);
    expect(html).toContain(username);
    expect(html).toContain('This browser');
    expect(html).toContain('Interactive client (confidential)');
    expect(html).toContain('action="/ui/account/password"');
    expect(html).toContain('action="/ui/account/delete"');
    // The home page links here instead of listing the applications itself.
    const home = await (await flow.jar.fetch(`${s.url}/ui/`)).text();
    expect(home).toContain('href="/ui/account"');
    expect(home).not.toContain('Revoke access');
  });

  it('sends a visitor who is not signed in to the home page', async () => {
    const res = await new CookieJar().fetch(`${s.url}/ui/account`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/');
    const post403 = await post(new CookieJar(), '/ui/account/password', { current_password: 'x' });
    expect(post403.status).toBe(303);
  });

  it('changes the password with the current one, optionally ending the other sessions', async () => {
    const { username, flow } = await signedInUser();
    const other = await authorizeWithLogin(s.url, { username, password: 'first password 1' });
    const html = await accountPage(flow.jar);
    expect(sidsOf(html)).toHaveLength(2);
    const csrf = csrfOf(html);

    const wrong = await post(flow.jar, '/ui/account/password', {
      csrf,
      current_password: 'not it',
      password: 'second password 2',
      password_confirm: 'second password 2',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('The password is not correct.');

    const noCsrf = await post(flow.jar, '/ui/account/password', {
      current_password: 'first password 1',
      password: 'second password 2',
      password_confirm: 'second password 2',
    });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toContain('Your session has changed. Please try again.');
    expect((await s.gh.context.users.login(username, 'first password 1')).ok).toBe(true);

    const weak = await post(flow.jar, '/ui/account/password', { csrf, current_password: 'first password 1', password: 'short', password_confirm: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('at least 10 characters');

    const ok = await post(flow.jar, '/ui/account/password', {
      csrf,
      current_password: 'first password 1',
      password: 'second password 2',
      password_confirm: 'second password 2',
      end_other_sessions: '1',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/ui/account?done=password_changed');
    expect(await (await flow.jar.fetch(`${s.url}/ui/account?done=password_changed`)).text()).toContain('Your password was changed.');
    expect((await s.gh.context.users.login(username, 'second password 2')).ok).toBe(true);
    expect((await other.jar.fetch(`${s.url}/ui/account`)).status).toBe(303);
    expect(sidsOf(await accountPage(flow.jar))).toHaveLength(1);
  });

  it('ends another session of the user, not another user’s', async () => {
    const { username, flow } = await signedInUser();
    const other = await authorizeWithLogin(s.url, { username, password: 'first password 1' });
    const stranger = await signedInUser();
    const strangerSid = ownSid(await accountPage(stranger.flow.jar));
    const html = await accountPage(flow.jar);
    const otherSid = ownSid(await accountPage(other.jar));
    expect(otherSid).not.toBe(ownSid(html));
    expect(sidsOf(html)).toContain(otherSid);
    expect((await post(flow.jar, '/ui/account/sessions/end', { csrf: csrfOf(html), sid: strangerSid })).status).toBe(303);
    expect((await stranger.flow.jar.fetch(`${s.url}/ui/account`)).status).toBe(200);
    const res = await post(flow.jar, '/ui/account/sessions/end', { csrf: csrfOf(html), sid: otherSid });
    expect(res.headers.get('location')).toBe('/ui/account?done=session_ended');
    expect((await other.jar.fetch(`${s.url}/ui/account`)).status).toBe(303);
    expect((await flow.jar.fetch(`${s.url}/ui/account`)).status).toBe(200);
  });

  it('revokes an application: its refresh token stops working', async () => {
    const { flow, refreshToken } = await signedInUser();
    const html = await accountPage(flow.jar);
    const res = await post(flow.jar, '/ui/account/apps/revoke', { csrf: csrfOf(html), client_id: 'interactive.confidential' });
    expect(res.headers.get('location')).toBe('/ui/account?done=app_revoked');
    const after = await accountPage(flow.jar);
    expect(after).toContain('No application holds access');
    expect((await refresh(refreshToken)).status).toBe(400);
  });

  it('deletes the account only after re-authentication, then removes its sessions and tokens', async () => {
    const { username, flow, refreshToken } = await signedInUser();
    const subjectId = (await s.gh.context.users.findByUsername(username))!.subjectId;
    // MFA data (docs/mfa.md) goes with the account.
    await s.gh.context.mfa!.newRecoveryCodes(subjectId);
    expect(await s.gh.context.backend.userMfa!.find(subjectId)).toBeDefined();
    s.clock.advance(301);
    const html = await accountPage(flow.jar);
    const csrf = csrfOf(html);
    const bare = await post(flow.jar, '/ui/account/delete', { csrf });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('Enter your password to confirm.');
    const wrong = await post(flow.jar, '/ui/account/delete', { csrf, password: 'nope' });
    expect(wrong.status).toBe(403);
    const noCsrf = await post(flow.jar, '/ui/account/delete', { password: 'first password 1' });
    expect(noCsrf.status).toBe(403);
    expect(await s.gh.context.users.findBySubject(subjectId)).toBeDefined();

    const done = await post(flow.jar, '/ui/account/delete', { csrf, password: 'first password 1' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Account deleted');
    expect(await s.gh.context.users.findBySubject(subjectId)).toBeUndefined();
    expect(await s.gh.sessions.query({ subjectId })).toEqual([]);
    expect((await refresh(refreshToken)).status).toBe(400);
    expect(await s.gh.context.stores.grants.clientsHolding(subjectId, 0)).toEqual([]);
    expect(await s.gh.context.backend.userMfa!.find(subjectId)).toBeUndefined();
    expect((await flow.jar.fetch(`${s.url}/ui/account`)).status).toBe(303);
  });

  it('accepts a sign-in within account.reauthenticationMaxAge instead of the password', async () => {
    const { username, flow } = await signedInUser();
    const html = await accountPage(flow.jar);
    expect(html).toContain('your password is optional');
    const res = await post(flow.jar, '/ui/account/delete', { csrf: csrfOf(html) });
    expect(res.status).toBe(200);
    expect(await s.gh.context.users.findByUsername(username)).toBeUndefined();
  });

  it('says a configured test user’s password is managed elsewhere, and refuses to delete it', async () => {
    const flow = await authorizeWithLogin(s.url, { username: 'alice', password: 'alice' });
    const html = await accountPage(flow.jar);
    expect(html).toContain('managed elsewhere');
    const res = await post(flow.jar, '/ui/account/delete', { csrf: csrfOf(html), password: 'alice' });
    expect(res.status).toBe(400);
    expect(await s.gh.context.users.findByUsername('alice')).toBeDefined();
  });
});

describe('account configuration', () => {
  it('refuses registration or reset without the email section, naming the setting', () => {
    const input = { ...demoConfig(), account: { registration: true, passwordReset: true } };
    let error: unknown;
    try {
      validateConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['account.registration', 'account.passwordReset']));
  });

  it('turns registration off with a clear startup message when the host store cannot create users', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const host = await startTestServer({
      mutate: (c) => {
        c.account = { registration: true };
        c.email = { from: 'x@example.test', smtp: { host: '127.0.0.1', port: 1 } };
      },
      options: {
        logger,
        userStore: { findBySubject: async () => undefined, findByUsername: async () => undefined, validateCredentials: async () => undefined },
      },
    });
    try {
      expect(lines.join('')).toContain('account.registration is on but disabled: the user store cannot create users');
      expect((await fetch(`${host.url}/ui/account/register`)).status).toBe(404);
    } finally {
      await host.close();
    }
  });
});
