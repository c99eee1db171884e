import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { codeAccessTokenJti } from '../../src/grants/authorization-code-grant.js';
import { handleId } from '../../src/tokens/handles.js';
import { lookupToken } from '../../src/tokens/lookup-token.js';
import { createHarness, readTogetherBackend, jwtClaims, NOW, REDIRECT, type Harness } from './context.js';

let h: Harness;
afterEach(async () => h?.close());

const atHash = (token: string) => createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url');
const codeForm = (code: string, verifier: string, extra: Record<string, string | string[]> = {}) => ({
  grant_type: 'authorization_code',
  code,
  redirect_uri: REDIRECT,
  code_verifier: verifier,
  ...extra,
});

describe('authorization_code grant: issuing', () => {
  it('exchanges a code (PKCE S256) for access, ID and refresh tokens', async () => {
    h = await createHarness();
    const res = await h.redeem();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email api.read offline_access' });
    expect(typeof res.json.refresh_token).toBe('string');
    const at = jwtClaims(res.json.access_token);
    expect(at).toMatchObject({
      iss: 'https://id.example.com',
      sub: 'alice',
      aud: 'orders',
      client_id: 'web',
      sid: 'sid-1',
      auth_time: NOW - 30,
      amr: ['pwd'],
      exp: NOW + 3600,
      scope: 'openid profile email api.read offline_access',
      role: 'admin',
      department: 'sales', // API resource and API scope user claims
    });
    // Identity claims do not go into access tokens.
    expect(at.email).toBeUndefined();
    expect(at.name).toBeUndefined();
  });

  it('issues an ID token whose claims verify against the JWKS', async () => {
    h = await createHarness();
    const res = await h.redeem();
    const jwks = createLocalJWKSet(JSON.parse(Buffer.from(h.ctx.keys.jwksBytes()).toString('utf8')));
    const { payload, protectedHeader } = await jwtVerify(res.json.id_token, jwks, {
      issuer: 'https://id.example.com',
      audience: 'web',
      currentDate: new Date(NOW * 1000),
    });
    expect(protectedHeader.typ).toBe('JWT');
    expect(payload).toMatchObject({
      iss: 'https://id.example.com',
      sub: 'alice',
      aud: 'web',
      iat: NOW,
      exp: NOW + 300,
      auth_time: NOW - 30,
      nonce: 'nonce-123',
      sid: 'sid-1',
      amr: ['pwd'],
      at_hash: atHash(res.json.access_token),
    });
    // An access token was issued: user claims come from userinfo (OIDC Core §5.4).
    expect(payload.name).toBeUndefined();
    expect(payload.email).toBeUndefined();
  });

  it('puts identity claims in the ID token for alwaysIncludeUserClaimsInIdToken, never protected ones', async () => {
    h = await createHarness({ web: { alwaysIncludeUserClaimsInIdToken: true } });
    const id = jwtClaims((await h.redeem()).json.id_token);
    expect(id).toMatchObject({ name: 'Alice Smith', given_name: 'Alice', email: 'alice@example.com', email_verified: true });
    expect(id.iss).toBe('https://id.example.com');
    expect(id.aud).toBe('web');
    expect(id.role).toBeUndefined();
  });

  it('accepts plain PKCE when the code says plain', async () => {
    h = await createHarness();
    const verifier = 'p'.repeat(50);
    const { code } = await h.issueCode({ payload: { codeChallenge: verifier, codeChallengeMethod: 'plain' } });
    expect((await h.token(codeForm(code, verifier))).status).toBe(200);
  });

  it('omits the ID token without openid and the refresh token without offline_access', async () => {
    h = await createHarness();
    const res = await h.redeem({ payload: { scopes: ['api.read'] } });
    expect(res.status).toBe(200);
    expect(res.json.id_token).toBeUndefined();
    expect(res.json.refresh_token).toBeUndefined();
    expect(res.json.scope).toBe('api.read');
  });

  it('issues no refresh token to a client without the refresh_token grant, and drops offline_access from scope', async () => {
    h = await createHarness();
    const res = await h.redeem({ clientId: 'noapi' });
    expect(res.status).toBe(200);
    expect(res.json.refresh_token).toBeUndefined();
    expect(res.json.scope).toBe('openid profile email api.read');
  });

  it('narrows the audience with the resource parameter (RFC 8707) and refuses widening', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const res = await h.token(codeForm(code, verifier, { resource: 'reports' }));
    expect(res.status).toBe(200);
    expect(jwtClaims(res.json.access_token).aud).toBe('reports');

    const second = await h.issueCode({ payload: { resourceIndicators: ['orders'] } });
    const refused = await h.token(codeForm(second.code, second.verifier, { resource: 'reports' }));
    expect(refused.json.error).toBe('invalid_target');
  });

  it('lets a public client redeem with PKCE and no secret', async () => {
    h = await createHarness();
    expect((await h.redeem({ clientId: 'spa' })).status).toBe(200);
  });
});

describe('authorization_code grant: refusals', () => {
  const expectGrantError = (res: { status: number; json: Record<string, any> }, description: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
    expect(res.json.error_description).toMatch(description);
  };

  it('revokes what the first redemption issued when a code is replayed', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const first = await h.token(codeForm(code, verifier));
    expect(first.status).toBe(200);
    expect((await lookupToken(h.ctx, first.json.access_token))?.active).toBe(true);

    expectGrantError(await h.token(codeForm(code, verifier)), /already been used/);
    expect((await lookupToken(h.ctx, first.json.access_token))?.active).toBe(false);
    expectGrantError(await h.token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token }), /invalid or expired/);
  });

  it('gives the access token a jti derived from the code, stores nothing more at redemption, and a replay revokes that jti', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const id = handleId(code);
    const first = await h.token(codeForm(code, verifier));
    const { jti, exp } = jwtClaims(first.json.access_token) as { jti: string; exp: number };
    expect(jti).toBe(codeAccessTokenJti(id));
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The consumed code record is as consume() left it: no second write with the jti.
    const stored = await h.ctx.backend.records.find<Record<string, unknown>>('authorization_code', id);
    expect(stored?.consumedAt).toBe(NOW);
    expect(stored?.payload.issuedJti).toBeUndefined();
    expect(await h.ctx.backend.records.find('revoked_jti', jti)).toBeUndefined();

    await h.token(codeForm(code, verifier));
    const revoked = await h.ctx.backend.records.find('revoked_jti', jti);
    expect(revoked?.expiresAt).toBeGreaterThanOrEqual(exp + 60);
    expect((await lookupToken(h.ctx, first.json.access_token))?.active).toBe(false);
    // Different codes give different jtis.
    const second = await h.redeem();
    expect(jwtClaims(second.json.access_token).jti).not.toBe(jti);
  });

  it('revokes reference access tokens of a replayed code', async () => {
    h = await createHarness({ web: { accessTokenType: 'reference' } });
    const { code, verifier } = await h.issueCode();
    const first = await h.token(codeForm(code, verifier));
    expect((await lookupToken(h.ctx, first.json.access_token))?.active).toBe(true);
    await h.token(codeForm(code, verifier));
    expect(await lookupToken(h.ctx, first.json.access_token)).toBeUndefined();
  });

  it('two redemptions that read the code at the same moment: exactly one succeeds and keeps its tokens; a later use revokes them', async () => {
    h = await createHarness({ backend: readTogetherBackend('authorization_code') });
    const { code, verifier } = await h.issueCode();
    const results = await Promise.all([h.token(codeForm(code, verifier)), h.token(codeForm(code, verifier))]);
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status !== 200)!.json.error).toBe('invalid_grant');
    const winner = won[0].json;
    expect((await lookupToken(h.ctx, winner.access_token))?.active).toBe(true);
    // A third use is a replay (RFC 6749 §4.1.2): it revokes what the winner got.
    expect((await h.token(codeForm(code, verifier))).json.error).toBe('invalid_grant');
    expect((await lookupToken(h.ctx, winner.access_token))?.active).toBe(false);
    expect((await h.token({ grant_type: 'refresh_token', refresh_token: winner.refresh_token })).json.error).toBe('invalid_grant');
  });

  it('refuses unknown, missing and expired codes', async () => {
    h = await createHarness();
    expectGrantError(await h.token(codeForm('nope', 'v'.repeat(43))), /invalid or expired/);
    const missing = await h.token({ grant_type: 'authorization_code', redirect_uri: REDIRECT });
    expect(missing.json).toMatchObject({ error: 'invalid_request' });
    const { code, verifier } = await h.issueCode();
    h.clock.advance(300); // authorizationCodeLifetime
    expectGrantError(await h.token(codeForm(code, verifier)), /invalid or expired/);
  });

  it("refuses another client's code without burning it", async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    expectGrantError(await h.token(codeForm(code, verifier), 'other'), /another client/);
    expect((await h.token(codeForm(code, verifier))).status).toBe(200);
  });

  it('requires the identical redirect_uri', async () => {
    h = await createHarness();
    const a = await h.issueCode();
    expectGrantError(await h.token(codeForm(a.code, a.verifier, { redirect_uri: `${REDIRECT}/x` })), /does not match/);
    const b = await h.issueCode();
    const { redirect_uri: _, ...withoutRedirect } = codeForm(b.code, b.verifier);
    expectGrantError(await h.token(withoutRedirect), /redirect_uri is required/);
  });

  it('checks the code_verifier (RFC 7636 §4.6)', async () => {
    h = await createHarness();
    const a = await h.issueCode();
    expectGrantError(await h.token(codeForm(a.code, 'w'.repeat(43))), /does not match/);
    const b = await h.issueCode();
    const { code_verifier: _, ...withoutVerifier } = codeForm(b.code, b.verifier);
    expectGrantError(await h.token(withoutVerifier), /code_verifier is required/);
  });

  it('answers invalid_request for a malformed verifier, before the code is used', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const res = await h.token(codeForm(code, 'short'));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_request');
    expect((await h.token(codeForm(code, verifier))).status).toBe(200);
  });

  it('refuses a code_verifier for a code issued without code_challenge (PKCE downgrade)', async () => {
    h = await createHarness();
    const a = await h.issueCode({ payload: { codeChallenge: undefined, codeChallengeMethod: undefined } });
    expectGrantError(await h.token(codeForm(a.code, a.verifier)), /no code_challenge/);
    const b = await h.issueCode({ payload: { codeChallenge: undefined, codeChallengeMethod: undefined } });
    const { code_verifier: _, ...withoutVerifier } = codeForm(b.code, b.verifier);
    expect((await h.token(withoutVerifier)).status).toBe(200);
  });

  it('refuses an S256 challenge answered with the challenge itself', async () => {
    h = await createHarness();
    const { code } = await h.issueCode({ payload: { codeChallenge: 'c'.repeat(43), codeChallengeMethod: 'S256' } });
    expectGrantError(await h.token(codeForm(code, 'c'.repeat(43))), /does not match/);
  });

  it('refuses a code of a user who is no longer active', async () => {
    h = await createHarness();
    expectGrantError(await h.redeem({ subjectId: 'bob' }), /no longer active/);
  });
});
