/**
 * Logs never carry secrets: a full flow (failed and successful login,
 * consent, code exchange, refresh, userinfo, introspection, revocation, a
 * failed client authentication, sign-out) runs with the access log on and
 * the logger at trace level, and every value used is searched for in the
 * collected lines.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/client-auth/secrets.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';
import { actions, field, FORM } from '../interaction/interaction-helpers.js';

const unique = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe('log redaction over a full flow', () => {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      raw.push(String(chunk));
      cb();
    },
  });
  const password = unique('pw');
  const wrongPassword = unique('wrongpw');
  const clientSecret = unique('cs');
  const wrongSecret = unique('badcs');
  const apiSecret = unique('apisecret');
  const used: Record<string, string> = { password, wrongPassword, clientSecret, wrongSecret, apiSecret };
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        c.server = { ...c.server, accessLog: true, logLevel: 'trace' };
        c.events = { successLogLevel: 'info', failureLogLevel: 'info' };
        c.users = [...(c.users ?? []), { subjectId: '9', username: 'dora', password, claims: { name: 'Dora' } }];
        c.clients!.find((x) => x.clientId === 'interactive.confidential')!.clientSecrets = [{ value: hashSecret(clientSecret) }];
        c.apiResources = c.apiResources!.map((r) => ({ ...r, apiSecrets: [{ value: hashSecret(apiSecret) }] }));
      },
      // No redaction configured: the call sites themselves must never pass a secret.
      options: { logger: pino({ level: 'trace' }, sink) },
    });

    // A failed login, then the real one (new jar each time), consent-free confidential client.
    await authorizeWithLogin(s.url, { username: 'dora', password: wrongPassword }).catch(() => undefined);
    const flow = await authorizeWithLogin(s.url, { username: 'dora', password });
    used.code = flow.code;
    used.verifier = flow.verifier;
    for (const [name, value] of flow.jar.cookies) used[`cookie ${name}`] = value;
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier, 'interactive.confidential', clientSecret);
    expect(tokens.status).toBe(200);
    used.accessToken = tokens.body.access_token;
    used.idToken = tokens.body.id_token;
    used.refreshToken = tokens.body.refresh_token;
    // The code again (replay), a wrong client secret, refresh, userinfo, introspection, revocation.
    await exchangeCode(s.url, flow.code, flow.verifier, 'interactive.confidential', clientSecret);
    const flow2 = await authorizeWithLogin(s.url, { username: 'dora', password, jar: flow.jar });
    const t2 = await exchangeCode(s.url, flow2.code, flow2.verifier, 'interactive.confidential', clientSecret);
    used.code2 = flow2.code;
    await exchangeCode(s.url, 'x', 'y', 'interactive.confidential', wrongSecret);
    const refreshed = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('interactive.confidential', clientSecret), ...FORM },
      body: form({ grant_type: 'refresh_token', refresh_token: t2.body.refresh_token }),
    });
    used.refreshToken2 = t2.body.refresh_token;
    used.accessToken2 = ((await refreshed.json()) as { access_token: string }).access_token;
    await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${used.accessToken}` } });
    await fetch(`${s.url}/connect/userinfo?access_token=${encodeURIComponent(used.accessToken2)}`);
    await fetch(`${s.url}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: basic('api', apiSecret), ...FORM },
      body: form({ token: used.accessToken }),
    });
    await fetch(`${s.url}/connect/revocation`, {
      method: 'POST',
      headers: { authorization: basic('interactive.confidential', clientSecret), ...FORM },
      body: form({ token: used.refreshToken }),
    });
    // Sign out from the home page.
    const home = await (await flow.jar.fetch(`${s.url}/ui/`)).text();
    used.csrf = field(home, 'csrf')!;
    await flow.jar.fetch(new URL(actions(home)[0], s.url).toString(), { method: 'POST', headers: FORM, body: form({ csrf: used.csrf }) });
    await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(() => s.close());

  it('wrote access log lines and events at trace level', () => {
    const lines = raw
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'request').length).toBeGreaterThan(15);
    expect(lines.find((l) => l.msg === 'request' && l.path === '/connect/token' && l.status === 200)).toMatchObject({
      clientId: 'interactive.confidential',
      endpoint: '/connect/token',
    });
    expect(lines.some((l) => l.msg === 'user_login_failure')).toBe(true);
    expect(lines.some((l) => l.msg === 'token_issued')).toBe(true);
  });

  it('contains none of the passwords, secrets, codes, tokens, verifiers or cookies used', () => {
    const all = raw.join('');
    expect(Object.keys(used).length).toBeGreaterThanOrEqual(14);
    for (const [name, value] of Object.entries(used)) {
      expect(value, name).toBeTruthy();
      expect(all.includes(value), `${name} appears in the logs`).toBe(false);
      // JWTs: not even their signature part.
      if (value.split('.').length === 3) expect(all.includes(value.split('.')[2]), `${name} signature appears in the logs`).toBe(false);
    }
  });
});
