/**
 * Implicit and hybrid response types (OIDC Core §3.2, §3.3, Multiple
 * Response Type Encoding Practices, Form Post Response Mode) through real
 * HTTP against the demo clients `interactive.implicit` and
 * `interactive.confidential.hybrid`: the hash claims checked with jose and
 * node:crypto for several signing algorithms, and every error the specs name.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, basic, form, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { Rp } from '../conformance/rp.js';

const IMPLICIT = 'interactive.implicit';
const HYBRID = 'interactive.confidential.hybrid';
const IMPLICIT_REDIRECT = 'http://localhost:3000/implicit/callback';
const HYBRID_REDIRECT = 'http://localhost:3000/callback';

/** Independent of the server's code: the left half of the alg's hash (SHA-512 for Ed25519), base64url. */
function expectedHash(alg: string, value: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(Buffer.from(value, 'ascii'))
    .digest();
  return Buffer.from(digest.subarray(0, digest.length / 2)).toString('base64url');
}

/** An authorization request with the demo clients' defaults. */
function request(clientId: string, params: Record<string, string | undefined>): Record<string, string> {
  const p: Record<string, string | undefined> = {
    client_id: clientId,
    redirect_uri: clientId === IMPLICIT ? IMPLICIT_REDIRECT : HYBRID_REDIRECT,
    scope: 'openid profile email api',
    state: `st-${Math.random().toString(36).slice(2)}`,
    nonce: `nn-${Math.random().toString(36).slice(2)}`,
    ...params,
  };
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

describe.each(['RS256', 'ES256', 'EdDSA'] as const)('hash claims signed with %s (raw HTTP + jose)', (alg) => {
  let s: TestServer;
  let rp: Rp;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.keys = { ...c.keys, algorithms: [alg] }) });
    rp = await new Rp(s.url).init();
    jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`));
  });
  afterAll(() => s?.close());

  const verify = async (idToken: string, aud: string) => {
    expect(decodeProtectedHeader(idToken).alg).toBe(alg);
    return (await jwtVerify(idToken, jwks, { issuer: s.url, audience: aud, algorithms: [alg] })).payload as Record<string, unknown>;
  };

  it.each(['code id_token', 'code token', 'code id_token token'])('%s: c_hash, at_hash and s_hash of the authorization response', async (type) => {
    const { verifier, challenge } = await pkce();
    const sent = request(HYBRID, { response_type: type, code_challenge: challenge, code_challenge_method: 'S256' });
    const out = await rp.authorize(sent);
    expect(out.via).toBe('fragment');
    const p = out.params!;
    expect(p.get('error')).toBeNull();
    const code = p.get('code')!;
    expect(code).toBeTruthy();
    if (type.includes('id_token')) {
      const claims = await verify(p.get('id_token')!, HYBRID);
      expect(claims.nonce).toBe(sent.nonce);
      expect(claims.c_hash).toBe(expectedHash(alg, code));
      expect(claims.s_hash).toBe(expectedHash(alg, sent.state));
      if (type.endsWith('token') && type !== 'code id_token') expect(claims.at_hash).toBe(expectedHash(alg, p.get('access_token')!));
      else expect(claims.at_hash).toBeUndefined();
    }
    if (type.endsWith(' token')) {
      expect(p.get('token_type')).toBe('Bearer');
      // The front-channel access token works at userinfo.
      const ui = await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${p.get('access_token')}` } });
      expect(ui.status).toBe(200);
    }
    // The token endpoint after a hybrid code (OIDC Core §3.3.3.6): same sub, at_hash of its own access token, no c_hash needed.
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic(HYBRID, 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'authorization_code', code, redirect_uri: HYBRID_REDIRECT, code_verifier: verifier }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    const fromToken = await verify(body.id_token, HYBRID);
    expect(fromToken.sub).toBe('1');
    expect(fromToken.nonce).toBe(sent.nonce);
    expect(fromToken.at_hash).toBe(expectedHash(alg, body.access_token));
    expect(fromToken.s_hash).toBeUndefined();
  });

  it.each(['id_token', 'id_token token'])('%s: at_hash only with an access token; s_hash of state; none without state', async (type) => {
    const sent = request(IMPLICIT, { response_type: type });
    const p = (await rp.authorize(sent)).params!;
    const claims = await verify(p.get('id_token')!, IMPLICIT);
    expect(claims.c_hash).toBeUndefined();
    expect(claims.s_hash).toBe(expectedHash(alg, sent.state));
    if (type === 'id_token token') expect(claims.at_hash).toBe(expectedHash(alg, p.get('access_token')!));
    else expect(claims.at_hash).toBeUndefined();
    const noState = request(IMPLICIT, { response_type: type, state: undefined });
    const p2 = (await rp.authorize(noState, { jar: new CookieJar() })).params!;
    expect(p2.get('state')).toBeNull();
    expect((await verify(p2.get('id_token')!, IMPLICIT)).s_hash).toBeUndefined();
  });
});

describe('hash claims follow the per-client ID token alg (idTokenSignedResponseAlg)', () => {
  let s: TestServer;
  let rp: Rp;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        c.keys = { ...c.keys, algorithms: ['RS256', 'EdDSA'] };
        const hybrid = c.clients!.find((x) => x.clientId === HYBRID)!;
        Object.assign(hybrid, { idTokenSignedResponseAlg: 'EdDSA' });
      },
    });
    rp = await new Rp(s.url).init();
  });
  afterAll(() => s?.close());

  it('code id_token token for a client on EdDSA: SHA-512 halves, while another client gets RS256 (SHA-256)', async () => {
    const { challenge } = await pkce();
    const sent = request(HYBRID, { response_type: 'code id_token token', code_challenge: challenge, code_challenge_method: 'S256' });
    const p = (await rp.authorize(sent)).params!;
    const idToken = p.get('id_token')!;
    expect(decodeProtectedHeader(idToken).alg).toBe('EdDSA');
    const claims = await rp.verifyIdToken(idToken, HYBRID);
    expect(claims.c_hash).toBe(expectedHash('EdDSA', p.get('code')!));
    expect(claims.at_hash).toBe(expectedHash('EdDSA', p.get('access_token')!));
    expect(claims.s_hash).toBe(expectedHash('EdDSA', sent.state));
    expect(claims.c_hash).toHaveLength(43); // half of 64 bytes, base64url
    const other = request(IMPLICIT, { response_type: 'id_token token' });
    const op = (await rp.authorize(other, { jar: new CookieJar() })).params!;
    expect(decodeProtectedHeader(op.get('id_token')!).alg).toBe('RS256');
    expect((await rp.verifyIdToken(op.get('id_token')!, IMPLICIT)).at_hash).toBe(expectedHash('RS256', op.get('access_token')!));
  });
});

describe('implicit and hybrid flows and their errors (demo clients)', () => {
  let s: TestServer;
  let rp: Rp;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        // A hybrid client without allowAccessTokensViaBrowser (IdentityServer's default).
        const hybrid = c.clients!.find((x) => x.clientId === HYBRID)!;
        c.clients!.push({ ...hybrid, clientId: 'hybrid.no-browser', allowAccessTokensViaBrowser: false });
        c.clients!.push({ ...hybrid, clientId: 'hybrid.reference', accessTokenType: 'reference' });
      },
    });
    rp = await new Rp(s.url).init();
  });
  afterAll(() => s?.close());

  it('discovery lists the response types enabled clients may use, implicit among the grant types', () => {
    expect(rp.discovery.response_types_supported).toEqual(['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token']);
    expect(rp.discovery.response_modes_supported).toEqual(['query', 'fragment', 'form_post', 'jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt']);
    expect(rp.discovery.grant_types_supported).toContain('implicit');
  });

  it('discovery without an implicit or hybrid client: code only, no implicit grant', async () => {
    const plain = await startTestServer({
      mutate: (c) => (c.clients = c.clients!.filter((x) => x.clientId !== IMPLICIT && x.clientId !== HYBRID)),
    });
    try {
      const doc = (await (await fetch(`${plain.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
      expect(doc.response_types_supported).toEqual(['code']);
      expect(doc.grant_types_supported).not.toContain('implicit');
    } finally {
      await plain.close();
    }
  });

  it('id_token: the profile and email claims are in the ID token (OIDC Core §5.4), no access token', async () => {
    const sent = request(IMPLICIT, { response_type: 'id_token' });
    const p = (await rp.authorize(sent)).params!;
    expect(p.get('access_token')).toBeNull();
    const claims = await rp.verifyIdToken(p.get('id_token')!, IMPLICIT);
    expect(claims).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com', nonce: sent.nonce });
    expect(typeof claims.sid).toBe('string');
  });

  it('id_token token: the claims come from userinfo (not the ID token); the token has audience api', async () => {
    const sent = request(IMPLICIT, { response_type: 'token id_token' }); // any order (Multiple Response Types §3)
    const p = (await rp.authorize(sent)).params!;
    const claims = await rp.verifyIdToken(p.get('id_token')!, IMPLICIT);
    expect(claims.name).toBeUndefined();
    expect(p.get('scope')).toBe('openid profile email api');
    const at = JSON.parse(Buffer.from(p.get('access_token')!.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(at).toMatchObject({ aud: 'api', client_id: IMPLICIT, sub: '1' });
    const ui = await rp.expectUserinfo(p.get('access_token')!, '1');
    expect(ui.name).toBe('Alice Smith');
  });

  it('form_post works for every response type', async () => {
    for (const [client, type] of [
      [IMPLICIT, 'id_token'],
      [IMPLICIT, 'id_token token'],
      [HYBRID, 'code id_token'],
      [HYBRID, 'code token'],
    ]) {
      const { challenge } = await pkce();
      const sent = request(client, { response_type: type, response_mode: 'form_post', code_challenge: challenge, code_challenge_method: 'S256' });
      const out = await rp.authorize(sent);
      expect(out.via, type).toBe('form_post');
      expect(out.params!.get('state')).toBe(sent.state);
    }
  });

  it('response_mode=fragment for code is honoured; the code flow still defaults to query', async () => {
    const { challenge } = await pkce();
    const sent = request(HYBRID, { response_type: 'code', response_mode: 'fragment', code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await rp.authorize(sent)).via).toBe('fragment');
    const sent2 = request(HYBRID, { response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await rp.authorize(sent2)).via).toBe('query');
  });

  it('no refresh token from the authorization endpoint; offline_access is ignored without a code (OIDC Core §11)', async () => {
    const sent = request(IMPLICIT, { response_type: 'id_token token', scope: 'openid offline_access' });
    const p = (await rp.authorize(sent)).params!;
    expect(p.get('error')).toBeNull();
    expect(p.get('refresh_token')).toBeNull();
    expect(p.get('scope')).toBe('openid');
    // Hybrid: offline_access goes with the code; the front-channel token does not carry it.
    const { verifier, challenge } = await pkce();
    const hsent = request(HYBRID, { response_type: 'code token', scope: 'openid offline_access', code_challenge: challenge, code_challenge_method: 'S256' });
    const hp = (await rp.authorize(hsent)).params!;
    expect(hp.get('refresh_token')).toBeNull();
    expect(hp.get('scope')).toBe('openid');
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic(HYBRID, 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'authorization_code', code: hp.get('code')!, redirect_uri: HYBRID_REDIRECT, code_verifier: verifier }),
    });
    expect(((await res.json()) as Record<string, string>).refresh_token).toBeTruthy();
  });

  it.each(['jwt', 'reference'])('a replayed hybrid code revokes the access token issued with it (%s)', async (format) => {
    const client = format === 'jwt' ? HYBRID : 'hybrid.reference';
    const { verifier, challenge } = await pkce();
    const sent = request(client, { response_type: 'code id_token token', code_challenge: challenge, code_challenge_method: 'S256' });
    const p = (await rp.authorize(sent)).params!;
    const front = p.get('access_token')!;
    const redeem = () =>
      fetch(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: basic(client, 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type: 'authorization_code', code: p.get('code')!, redirect_uri: HYBRID_REDIRECT, code_verifier: verifier }),
      });
    expect((await redeem()).status).toBe(200);
    expect((await rp.userinfo(front)).status).toBe(200);
    // RFC 6749 §4.1.2: a second use revokes the tokens issued from the code, the front channel's included.
    expect((await redeem()).status).toBe(400);
    expect((await rp.userinfo(front)).status).toBe(401);
  });

  it('code token without nonce succeeds (OIDC Core §3.3.2.11: OPTIONAL there)', async () => {
    const { challenge } = await pkce();
    const sent = request(HYBRID, { response_type: 'code token', nonce: undefined, code_challenge: challenge, code_challenge_method: 'S256' });
    const p = (await rp.authorize(sent)).params!;
    expect(p.get('error')).toBeNull();
    expect(p.get('access_token')).toBeTruthy();
  });

  describe('errors', () => {
    /** The error went to the verified redirect URI in `via`, with state and iss, and no artifacts. */
    async function expectError(sent: Record<string, string>, error: string, via: 'query' | 'fragment' | 'form_post') {
      const out = await rp.authorize(sent, { login: false });
      expect(out.errorPage, out.errorPage?.html.slice(0, 200)).toBeUndefined();
      expect(out.via).toBe(via);
      const p = out.params!;
      expect(p.get('error')).toBe(error);
      expect(p.get('error_description')).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
      expect(p.get('state')).toBe(sent.state);
      expect(p.get('iss')).toBe(s.url);
      for (const k of ['code', 'id_token', 'access_token']) expect(p.get(k)).toBeNull();
      expect(out.pages).toEqual([]);
      return p;
    }

    it('unauthorized_client: a response type the client may not use (in the fragment when it would return a token)', async () => {
      await expectError(request('interactive.confidential', { response_type: 'code id_token' }), 'unauthorized_client', 'fragment');
      await expectError(request(IMPLICIT, { response_type: 'code' }), 'unauthorized_client', 'query');
      await expectError(request(IMPLICIT, { response_type: 'code id_token' }), 'unauthorized_client', 'fragment');
      await expectError(request(HYBRID, { response_type: 'id_token' }), 'unauthorized_client', 'fragment');
    });

    it('unsupported_response_type: an unknown or unimplemented response type', async () => {
      await expectError(request(IMPLICIT, { response_type: 'token' }), 'unsupported_response_type', 'query');
      await expectError(request(IMPLICIT, { response_type: 'id_token id_token' }), 'unsupported_response_type', 'query');
      await expectError(request(HYBRID, { response_type: 'code foo' }), 'unsupported_response_type', 'query');
      await expectError(request(HYBRID, { response_type: 'none' }), 'unsupported_response_type', 'query');
    });

    it('invalid_request: response_mode=query where a token is returned, answered in the fragment', async () => {
      for (const [client, type] of [
        [IMPLICIT, 'id_token'],
        [IMPLICIT, 'id_token token'],
        [HYBRID, 'code id_token'],
        [HYBRID, 'code token'],
        [HYBRID, 'code id_token token'],
      ]) {
        const p = await expectError(request(client, { response_type: type, response_mode: 'query' }), 'invalid_request', 'fragment');
        expect(p.get('error_description')).toMatch(/response_mode/);
      }
    });

    it('invalid_request: nonce missing where an ID token comes from the authorization endpoint', async () => {
      for (const [client, type] of [
        [IMPLICIT, 'id_token'],
        [IMPLICIT, 'id_token token'],
        [HYBRID, 'code id_token'],
        [HYBRID, 'code id_token token'],
      ]) {
        const p = await expectError(request(client, { response_type: type, nonce: undefined }), 'invalid_request', 'fragment');
        expect(p.get('error_description')).toMatch(/nonce/);
      }
      // In the requested mode when that is allowed.
      await expectError(request(IMPLICIT, { response_type: 'id_token', nonce: undefined, response_mode: 'form_post' }), 'invalid_request', 'form_post');
    });

    it('unauthorized_client: an access token through the browser without allowAccessTokensViaBrowser', async () => {
      for (const type of ['code token', 'code id_token token']) {
        const p = await expectError(request('hybrid.no-browser', { response_type: type }), 'unauthorized_client', 'fragment');
        expect(p.get('error_description')).toMatch(/allowAccessTokensViaBrowser/);
      }
      // code id_token returns no access token: allowed.
      const { challenge } = await pkce();
      const sent = request('hybrid.no-browser', { response_type: 'code id_token', code_challenge: challenge, code_challenge_method: 'S256' });
      expect((await rp.authorize(sent)).params!.get('id_token')).toBeTruthy();
    });

    it('invalid_scope: an ID token response type without the openid scope', async () => {
      await expectError(request(IMPLICIT, { response_type: 'id_token', scope: 'profile' }), 'invalid_scope', 'fragment');
    });

    it('login_required for prompt=none goes to the fragment of a hybrid request', async () => {
      const { challenge } = await pkce();
      await expectError(
        request(HYBRID, { response_type: 'code id_token', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256' }),
        'login_required',
        'fragment',
      );
    });

    it('hybrid still requires PKCE for a client with requirePkce', async () => {
      await expectError(request(HYBRID, { response_type: 'code id_token' }), 'invalid_request', 'fragment');
    });
  });
});
