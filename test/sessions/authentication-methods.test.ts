/**
 * amr (RFC 8176) as a list each login step appends to, and acr from the
 * configured mapping (`authentication.acr`): in the ID token and the access
 * token, in discovery (`acr_values_supported`), for the built-in login
 * (`pwd`) and for a custom UI that reports a second factor through the
 * interaction API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { acrFor, supportedAcrValues, withMethod } from '../../src/sessions/authentication-methods.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { basic, CookieJar, form, pkce, startTestServer, type TestServer } from '../helpers/server.js';

const ACR = { rules: [{ amr: ['pwd', 'otp'], acr: 'urn:gatehouse:mfa' }], default: 'urn:gatehouse:pwd' };
const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe('withMethod and acrFor', () => {
  it('appends a method once and adds mfa when the methods span two factors (RFC 8176 §2)', () => {
    expect(withMethod([], 'pwd')).toEqual(['pwd']);
    expect(withMethod(['pwd'], 'pwd')).toEqual(['pwd']);
    expect(withMethod(['pwd'], 'otp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(withMethod(['pwd', 'otp', 'mfa'], 'hwk')).toEqual(['pwd', 'otp', 'hwk', 'mfa']);
    // Two possession factors are still one factor kind.
    expect(withMethod(['otp'], 'hwk')).toEqual(['otp', 'hwk']);
  });

  it('maps methods to the first rule they satisfy, else the default, else nothing', () => {
    const config = { authentication: { acr: ACR } };
    expect(acrFor(config, ['pwd', 'otp', 'mfa'])).toBe('urn:gatehouse:mfa');
    expect(acrFor(config, ['pwd'])).toBe('urn:gatehouse:pwd');
    expect(acrFor({ authentication: { acr: { rules: [] } } }, ['pwd'])).toBeUndefined();
    expect(supportedAcrValues(config)).toEqual(['urn:gatehouse:mfa', 'urn:gatehouse:pwd']);
  });
});

describe('without an acr mapping (the default)', () => {
  let gh: TestServer;
  beforeAll(async () => {
    gh = await startTestServer();
  });
  afterAll(() => gh?.close());

  it('the built-in login reports amr pwd and no acr; discovery lists only the multi-factor acr (docs/mfa.md)', async () => {
    const flow = await authorizeWithLogin(gh.url, { scope: 'openid' });
    const { body } = await exchangeCode(gh.url, flow.code, flow.verifier);
    const id = payload(body.id_token);
    expect(id.amr).toEqual(['pwd']);
    expect(id).not.toHaveProperty('acr');
    const meta = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta.acr_values_supported).toEqual(['http://schemas.openid.net/pape/policies/2007/06/multi-factor']);
  });
});

describe('with an acr mapping', () => {
  let gh: TestServer;
  beforeAll(async () => {
    gh = await startTestServer({
      mutate(c: ConfigInput) {
        c.authentication = { ...c.authentication, acr: ACR };
      },
    });
  });
  afterAll(() => gh?.close());

  it('the built-in login (pwd) gets the default acr, in the ID token and the access token; acr_values is accepted', async () => {
    const flow = await authorizeWithLogin(gh.url, { scope: 'openid api', params: { acr_values: 'urn:gatehouse:mfa urn:gatehouse:pwd' } });
    const { body } = await exchangeCode(gh.url, flow.code, flow.verifier);
    expect(payload(body.id_token)).toMatchObject({ acr: 'urn:gatehouse:pwd', amr: ['pwd'] });
    expect(payload(body.access_token)).toMatchObject({ acr: 'urn:gatehouse:pwd', amr: ['pwd'] });
    const meta = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta.acr_values_supported).toEqual(['urn:gatehouse:mfa', 'urn:gatehouse:pwd', 'http://schemas.openid.net/pape/policies/2007/06/multi-factor']);
  });

  it('the password grant, which has no session, gets the mapping of its amr in both tokens', async () => {
    const res = await fetch(`${gh.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('ro.client', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid api' }),
    });
    const body = (await res.json()) as { id_token: string; access_token: string };
    expect(payload(body.id_token)).toMatchObject({ acr: 'urn:gatehouse:pwd', amr: ['pwd'] });
    expect(payload(body.access_token)).toMatchObject({ acr: 'urn:gatehouse:pwd', amr: ['pwd'] });
  });

  it('a custom UI reporting pwd and otp through the interaction API gets the mfa acr, and meets an essential acr', async () => {
    const jar = new CookieJar();
    const { challenge, verifier } = await pkce();
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:gatehouse:mfa'] } } });
    const q = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: CONFIDENTIAL_REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      claims,
      acr_values: 'urn:gatehouse:pwd',
    });
    const res = await jar.fetch(`${gh.url}/connect/authorize?${q}`);
    const loginUrl = new URL(res.headers.get('location')!, gh.url);
    const id = loginUrl.searchParams.get('id')!;
    // The custom UI learns what the client asks for, to step up.
    expect((await gh.gh.interactions.details(id, jar.header()))?.acrValues).toEqual({ requested: ['urn:gatehouse:pwd'], essential: ['urn:gatehouse:mfa'] });
    const resume = await gh.gh.interactions.login(id, jar.header(), { subjectId: '1', amr: withMethod(['pwd'], 'otp') });
    const done = await jar.fetch(new URL(resume, gh.url).href);
    const callback = new URL(done.headers.get('location')!);
    expect(callback.searchParams.get('error')).toBeNull();
    const { body } = await exchangeCode(gh.url, callback.searchParams.get('code')!, verifier);
    expect(payload(body.id_token)).toMatchObject({ acr: 'urn:gatehouse:mfa', amr: ['pwd', 'otp', 'mfa'] });
  });
});
