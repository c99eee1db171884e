import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { issueIdToken, tokenHash } from '../../src/tokens/id-token.js';
import { ALICE_CLAIMS, createHarness, NOW, type Harness } from '../grants/context.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const alice = { subjectId: 'alice', username: 'alice', isActive: true, claims: ALICE_CLAIMS };

async function verify(harness: Harness, jwt: string) {
  const jwks = createLocalJWKSet(JSON.parse(Buffer.from(harness.ctx.keys.jwksBytes()).toString('utf8')));
  return jwtVerify(jwt, jwks, { issuer: 'https://id.example.com', audience: 'web', currentDate: new Date(NOW * 1000) });
}

describe('tokenHash', () => {
  it('matches the at_hash and c_hash examples of OIDC Core Appendix A', () => {
    expect(tokenHash('RS256', 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y')).toBe('77QmUPtjPfzWtF2AnpK9RQ');
    expect(tokenHash('RS256', 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk')).toBe('LDktKdoQak3Pk0cnXxCltA');
  });

  it('uses SHA-256 for PS256/ES256 and the left half of SHA-512 for EdDSA (Ed25519)', () => {
    const sha512Half = createHash('sha512').update('token').digest().subarray(0, 32).toString('base64url');
    expect(tokenHash('EdDSA', 'token')).toBe(sha512Half);
    expect(tokenHash('EdDSA', 'token')).toHaveLength(43);
    expect(tokenHash('ES256', 'token')).toBe(tokenHash('PS256', 'token'));
    expect(tokenHash('ES256', 'token')).toHaveLength(22);
  });
});

describe('issueIdToken', () => {
  it('signs the OIDC Core §2 claims, with at_hash and c_hash', async () => {
    h = await createHarness();
    const client = h.ctx.clients.find('web')!;
    const jwt = await issueIdToken(h.ctx, {
      client,
      user: alice,
      nonce: 'n-1',
      authTime: NOW - 5,
      sessionId: 'sid-9',
      amr: ['pwd', 'mfa'],
      acr: 'urn:acr:2',
      accessToken: 'at-value',
      code: 'code-value',
      scopes: ['openid', 'profile'],
      includeUserClaims: false,
    });
    const { payload, protectedHeader } = await verify(h, jwt);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toEqual({
      iss: 'https://id.example.com',
      sub: 'alice',
      aud: 'web',
      exp: NOW + 300,
      iat: NOW,
      auth_time: NOW - 5,
      nonce: 'n-1',
      sid: 'sid-9',
      amr: ['pwd', 'mfa'],
      acr: 'urn:acr:2',
      at_hash: tokenHash('RS256', 'at-value'),
      c_hash: tokenHash('RS256', 'code-value'),
    });
  });

  it("adds the granted identity scopes' user claims when asked, never overriding protocol claims", async () => {
    h = await createHarness();
    const jwt = await issueIdToken(h.ctx, {
      client: h.ctx.clients.find('web')!,
      user: alice,
      authTime: NOW,
      scopes: ['openid', 'email'],
      includeUserClaims: true,
    });
    const { payload } = await verify(h, jwt);
    expect(payload).toMatchObject({ iss: 'https://id.example.com', aud: 'web', email: 'alice@example.com', email_verified: true });
    expect(payload.name).toBeUndefined(); // profile not granted
    expect(payload.nonce).toBeUndefined();
    expect(payload.at_hash).toBeUndefined();
  });

  it('signs with EdDSA and hashes with SHA-512', async () => {
    h = await createHarness({ algorithms: ['EdDSA'] });
    const jwt = await issueIdToken(h.ctx, {
      client: h.ctx.clients.find('web')!,
      user: alice,
      authTime: NOW,
      accessToken: 'at-value',
      scopes: ['openid'],
      includeUserClaims: false,
    });
    const { payload, protectedHeader } = await verify(h, jwt);
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.at_hash).toBe(createHash('sha512').update('at-value').digest().subarray(0, 32).toString('base64url'));
  });
});
