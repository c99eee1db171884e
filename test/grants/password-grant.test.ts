/**
 * The resource owner password credentials grant (RFC 6749 §4.3) through real
 * HTTP: tokens, refresh, every error of §4.3.2 and §5.2, the soft lockout and
 * the per-username ceiling, the profile service's isActive, the custom token
 * request validator, a host's password validator, discovery, and openid-client.
 */
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { ResourceOwnerPasswordValidator } from '../../src/extensions/password-validator.js';
import type { ProfileService } from '../../src/extensions/profile-service.js';
import { defaultProfileService } from '../../src/extensions/profile-service.js';
import { token, type Answer } from '../endpoints/helpers.js';
import { requestFrom } from '../helpers/from-address.js';
import { basic, demoConfig, form, startTestServer, type TestServer } from '../helpers/server.js';

type ClientInput = NonNullable<ConfigInput['clients']>[number];
type UserInput = NonNullable<ConfigInput['users']>[number];

const RO = { authorization: basic('ro.client', 'secret') };
const ALL = 'openid profile email api offline_access';
const user = (username: string, subjectId: string, extra: Partial<UserInput> = {}): UserInput => ({ subjectId, username, password: username, ...extra });
const roClient = (clientId: string, extra: Partial<ClientInput> = {}): ClientInput => ({
  clientId,
  allowedGrantTypes: ['password', 'refresh_token'],
  allowOfflineAccess: true,
  allowedScopes: ['openid', 'profile', 'email', 'api', 'offline_access'],
  ...extra,
});

/** The demo plus a public and a session-bound password client, an inactive user and low limits. */
function config(c: ConfigInput): void {
  c.authentication = { ...c.authentication, lockoutThreshold: 3, lockoutDuration: 60 };
  c.rateLimits = { ...c.rateLimits, loginPerUsername: 4 };
  c.users = [...(c.users ?? []), user('dave', '4', { isActive: false }), user('erin', '5'), user('frank', '6')];
  c.clients = [
    ...(c.clients ?? []),
    roClient('ro.public', { requireClientSecret: false }),
    roClient('ro.bound', { clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }], coordinateLifetimeWithUserSession: true }),
  ];
}

/** A token request from a chosen loopback address (the lockout's key is username and address). */
async function tokenFrom(url: string, from: string, params: Record<string, string>, headers: Record<string, string> = RO): Promise<Answer> {
  const body = form({ grant_type: 'password', ...params }).toString();
  const r = await requestFrom(`${url}/connect/token`, {
    method: 'POST',
    from,
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const parsed = JSON.parse(r.body) as Record<string, unknown>;
  return { status: r.status, headers: new Headers(r.headers as Record<string, string>), body: parsed, text: r.body };
}

const password = (url: string, params: Record<string, string>, headers: Record<string, string> = RO) =>
  token(url, { grant_type: 'password', ...params }, headers);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    mutate: config,
    options: {
      tokenRequestValidator: {
        validate(context) {
          if (context.grantType === 'password') context.accessTokenClaims.channel = 'ropc';
        },
      },
    },
  });
});
afterAll(() => s.close());

describe('password grant: tokens', () => {
  it('issues access, ID and refresh tokens; the ID token says amr pwd and has no session', async () => {
    const r = await password(s.url, { username: 'bob', password: 'bob', scope: ALL });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: ALL });
    const at = decodeJwt(r.body.access_token as string);
    expect(at).toMatchObject({ iss: s.url, sub: '2', aud: 'api', client_id: 'ro.client', amr: ['pwd'], channel: 'ropc' });
    const id = decodeJwt(r.body.id_token as string);
    expect(id).toMatchObject({ iss: s.url, sub: '2', aud: 'ro.client', amr: ['pwd'] });
    expect(id.sid).toBeUndefined();
    expect(id.nonce).toBeUndefined();
    expect(typeof id.auth_time).toBe('number');
    expect(typeof r.body.refresh_token).toBe('string');
    const info = await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${r.body.access_token as string}` } });
    expect(await info.json()).toMatchObject({ sub: '2', name: 'Bob Smith', email: 'BobSmith@example.com' });
  });

  it('issues no ID token without openid and no refresh token without offline_access', async () => {
    const r = await password(s.url, { username: 'bob', password: 'bob', scope: 'api' });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('api');
    expect(r.body.id_token).toBeUndefined();
    expect(r.body.refresh_token).toBeUndefined();
  });

  it("without scope grants the client's allowed scopes (RFC 6749 §3.3 default)", async () => {
    const r = await password(s.url, { username: 'alice', password: 'alice' });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe(ALL);
    expect(decodeJwt(r.body.id_token as string).sub).toBe('1');
  });

  it('refreshes: the refresh grant keeps amr and auth_time, rotates, and refuses the spent token', async () => {
    const first = await password(s.url, { username: 'bob', password: 'bob', scope: ALL });
    const authTime = decodeJwt(first.body.id_token as string).auth_time;
    const refreshed = await token(s.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string }, RO);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.id_token as string)).toMatchObject({ sub: '2', amr: ['pwd'], auth_time: authTime });
    // The custom token request validator runs again at the refresh, as refresh_token (its password-only claim is gone).
    expect(decodeJwt(refreshed.body.access_token as string)).toMatchObject({ sub: '2', amr: ['pwd'] });
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    const reused = await token(s.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string }, RO);
    expect([reused.status, reused.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('refreshes for a client that binds refresh tokens to the user session: there is no session to follow', async () => {
    const auth = { authorization: basic('ro.bound', 'secret') };
    const first = await password(s.url, { username: 'bob', password: 'bob', scope: ALL }, auth);
    expect(first.status).toBe(200);
    s.clock.advance(7200);
    const refreshed = await token(s.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string }, auth);
    expect(refreshed.status).toBe(200);
  });

  it('lets a public client use the grant with its client_id alone (RFC 6749 §4.3.2, §2.1)', async () => {
    const r = await password(s.url, { client_id: 'ro.public', username: 'bob', password: 'bob', scope: ALL }, {});
    expect(r.status).toBe(200);
    expect(decodeJwt(r.body.id_token as string).aud).toBe('ro.public');
    const refreshed = await token(s.url, { grant_type: 'refresh_token', client_id: 'ro.public', refresh_token: r.body.refresh_token as string });
    expect(refreshed.status).toBe(200);
  });

  it('is listed in discovery when a client has it', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect(doc.grant_types_supported).toContain('password');
  });
});

describe('password grant: errors', () => {
  it('missing username or password, or a repeated one: invalid_request', async () => {
    const cases: Record<string, string>[] = [{ password: 'bob' }, { username: 'bob' }, { username: '', password: 'bob' }];
    for (const params of cases) {
      const r = await password(s.url, params);
      expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    }
    const repeated = await token(s.url, { grant_type: 'password', username: ['bob', 'alice'], password: 'bob' }, RO);
    expect([repeated.status, repeated.body.error]).toEqual([400, 'invalid_request']);
  });

  it('wrong password and unknown user: the same invalid_grant', async () => {
    const wrong = await password(s.url, { username: 'alice', password: 'nope' });
    const unknown = await password(s.url, { username: 'nobody', password: 'nope' });
    expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_grant']);
    expect(unknown.text).toBe(wrong.text);
    expect(unknown.status).toBe(wrong.status);
  });

  it('a locked-out address: invalid_grant even with the right password, the same for an unknown user; other addresses unaffected', async () => {
    const attempts = async (username: string, from: string) => {
      const out: Answer[] = [];
      for (let i = 0; i < 3; i++) out.push(await tokenFrom(s.url, from, { username, password: 'wrong' }));
      out.push(await tokenFrom(s.url, from, { username, password: username }));
      return out;
    };
    const known = await attempts('frank', '127.0.0.6');
    const unknown = await attempts('nobody-at-all', '127.0.0.7');
    expect(known.map((a) => [a.status, a.body.error])).toEqual(Array(4).fill([400, 'invalid_grant']));
    expect(known[0].body.error_description).toBe('invalid username or password');
    // The third failure reaches the threshold: that answer and the next (right password) say to wait.
    expect(known[2].body.error_description).toMatch(/try again later/);
    expect(known[3].body.error_description).toMatch(/try again later/);
    expect(unknown.map((a) => a.text)).toEqual(known.map((a) => a.text));
    // The account's owner elsewhere is not held back (the lockout is per username and address).
    const owner = await tokenFrom(s.url, '127.0.0.8', { username: 'frank', password: 'frank', scope: 'api' });
    expect(owner.status).toBe(200);
  });

  it('the per-username ceiling across addresses: 429 temporarily_unavailable with Retry-After, also for the right password', async () => {
    for (const from of ['127.0.0.11', '127.0.0.11', '127.0.0.12', '127.0.0.12']) {
      expect((await tokenFrom(s.url, from, { username: 'erin', password: 'wrong' })).body.error).toBe('invalid_grant');
    }
    const limited = await tokenFrom(s.url, '127.0.0.13', { username: 'erin', password: 'erin' });
    expect([limited.status, limited.body.error]).toEqual([429, 'temporarily_unavailable']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a client not allowed the grant: unauthorized_client', async () => {
    const r = await password(s.url, { username: 'bob', password: 'bob' }, { authorization: basic('interactive.confidential', 'secret') });
    expect([r.status, r.body.error]).toEqual([400, 'unauthorized_client']);
  });

  it('a confidential client must authenticate (RFC 6749 §4.3.2): invalid_client without or with a wrong secret', async () => {
    const none = await password(s.url, { client_id: 'ro.client', username: 'bob', password: 'bob' }, {});
    expect([none.status, none.body.error]).toEqual([401, 'invalid_client']);
    const wrong = await password(s.url, { username: 'bob', password: 'bob' }, { authorization: basic('ro.client', 'wrong') });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_client']);
  });

  it('an unknown scope, or one the client may not request: invalid_scope (before the password is checked)', async () => {
    for (const scope of ['openid nonsense', 'openid address']) {
      const r = await password(s.url, { username: 'bob', password: 'bob', scope });
      expect([r.status, r.body.error]).toEqual([400, 'invalid_scope']);
    }
  });

  it('an inactive user: invalid_grant after the right password; a wrong one answers as for anyone', async () => {
    const inactive = await password(s.url, { username: 'dave', password: 'dave' });
    expect([inactive.status, inactive.body.error]).toEqual([400, 'invalid_grant']);
    expect(inactive.body.error_description).toMatch(/not active/);
    const wrong = await password(s.url, { username: 'dave', password: 'x' });
    expect(wrong.body.error_description).toBe('invalid username or password');
  });
});

describe("password grant: a host's validator and profile service", () => {
  let h: TestServer;
  const seen: { address?: string }[] = [];
  const validator: ResourceOwnerPasswordValidator = {
    async validate({ username, password, address }) {
      seen.push({ address });
      if (username === 'directory-bob' && password === 'directory')
        return { ok: true, subjectId: '2', amr: ['pwd', 'hwk'], claims: { department: 'sales', sub: 'x' } };
      if (username === 'directory-alice' && password === 'directory') return { ok: true, subjectId: '1' };
      return { ok: false, description: 'no' };
    },
  };
  // Alice is suspended by the host.
  const profile: ProfileService = { ...defaultProfileService, isActive: ({ subject }) => subject !== '1' };
  beforeAll(async () => {
    h = await startTestServer({
      mutate: (c) => void (c.authentication = { ...c.authentication, lockoutThreshold: 2 }),
      options: { resourceOwnerPasswordValidator: validator, profileService: profile },
    });
  });
  afterAll(() => h.close());

  it("replaces the user store: the host's users get tokens with its amr and claims; configured users are refused", async () => {
    const r = await password(h.url, { username: 'directory-bob', password: 'directory', scope: 'openid api' });
    expect(r.status).toBe(200);
    expect(decodeJwt(r.body.id_token as string).amr).toEqual(['pwd', 'hwk']);
    expect(decodeJwt(r.body.access_token as string)).toMatchObject({ sub: '2', department: 'sales' });
    expect(seen.at(-1)?.address).toBe('127.0.0.1');
    const builtIn = await password(h.url, { username: 'bob', password: 'bob' });
    expect([builtIn.status, builtIn.body.error, builtIn.body.error_description]).toEqual([400, 'invalid_grant', 'invalid username or password']);
  });

  it("honours the profile service's isActive: invalid_grant", async () => {
    const r = await password(h.url, { username: 'directory-alice', password: 'directory', scope: 'api' });
    expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
  });

  it("wraps the host's validator in the soft lockout", async () => {
    const calls = seen.length;
    await tokenFrom(h.url, '127.0.0.21', { username: 'directory-bob', password: 'x' });
    await tokenFrom(h.url, '127.0.0.21', { username: 'directory-bob', password: 'x' });
    const locked = await tokenFrom(h.url, '127.0.0.21', { username: 'directory-bob', password: 'directory' });
    expect([locked.status, locked.body.error]).toEqual([400, 'invalid_grant']);
    expect(locked.body.error_description).toMatch(/try again later/);
    // The locked attempt never reached the validator.
    expect(seen.length - calls).toBe(2);
  });
});

describe('demo .short clients', () => {
  it('m2m.short: access tokens of 75 s (the rest as m2m)', async () => {
    const r = await token(s.url, { grant_type: 'client_credentials', scope: 'api' }, { authorization: basic('m2m.short', 'secret') });
    expect([r.status, r.body.expires_in]).toEqual([200, 75]);
    const at = decodeJwt(r.body.access_token as string);
    expect(at.exp! - at.iat!).toBe(75);
  });
});

describe('password grant: startup warning', () => {
  it('logs the insecure-grant warning naming the client setting at startup', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const t = await startTestServer({ options: { logger } });
    await t.close();
    const warning = lines.map((l) => JSON.parse(l) as { setting?: string; msg: string }).find((l) => /password grant/.test(l.msg));
    const index = (demoConfig().clients ?? []).findIndex((c) => c.clientId === 'ro.client');
    expect(warning).toMatchObject({ setting: `clients[${index}].allowedGrantTypes[0]` });
    expect(warning?.msg).toMatch(/RFC 9700 §2.4/);
  });
});

describe('password grant: discovery and interop', () => {
  it('is not listed in discovery when no client has it', async () => {
    const plain = demoConfig();
    plain.clients = (plain.clients ?? []).filter((c) => !(c.allowedGrantTypes ?? []).includes('password'));
    const t = await startTestServer({ config: plain });
    try {
      const doc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
      expect(doc.grant_types_supported).not.toContain('password');
      expect(doc.grant_types_supported).toContain('refresh_token');
    } finally {
      await t.close();
    }
  });

  it('openid-client: genericGrantRequest("password") validates the ID token; refreshTokenGrant refreshes', async () => {
    const config = await oidc.discovery(new URL(s.url), 'ro.client', 'secret', undefined, { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.genericGrantRequest(config, 'password', { username: 'alice', password: 'alice', scope: ALL });
    expect(tokens.claims()).toMatchObject({ sub: '1', amr: ['pwd'] });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()?.sub).toBe('1');
    const wrong = await oidc.genericGrantRequest(config, 'password', { username: 'alice', password: 'x' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(oidc.ResponseBodyError);
    expect((wrong as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });
});
