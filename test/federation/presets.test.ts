/** Provider presets and their quirks (no network): Google, Entra ID, GitHub, Apple, generic OAuth 2.0. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { externalProviderSchema } from '../../src/federation/provider-schema.js';
import { entraIssuerFor, primaryVerifiedEmail, providerProblems, resolveProvider } from '../../src/federation/presets.js';
import { appleClientSecret } from '../../src/federation/apple-secret.js';
import { mapClaims } from '../../src/federation/accounts.js';

const parse = (x: Record<string, unknown>) => externalProviderSchema.parse({ clientId: 'cid', clientSecret: 's', ...x });

describe('presets', () => {
  it('google: OpenID Connect at accounts.google.com', () => {
    const p = resolveProvider(parse({ name: 'google', type: 'google' }));
    expect(p).toMatchObject({ protocol: 'oidc', issuer: 'https://accounts.google.com', displayName: 'Google', scopes: ['openid', 'profile', 'email'] });
  });

  it('microsoft: the tenant issuer; multi-tenant issuers follow the token tid', () => {
    expect(resolveProvider(parse({ name: 'ms', type: 'microsoft' })).issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
    expect(resolveProvider(parse({ name: 'ms', type: 'microsoft', tenant: tid })).issuer).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
    expect(entraIssuerFor('common', tid)).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
    expect(entraIssuerFor('organizations', 'not-a-tenant')).toBeUndefined();
    expect(entraIssuerFor('common')).toBeUndefined();
    expect(entraIssuerFor(tid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
  });

  it('github: OAuth 2.0, subject from id, login as preferred_username, the primary verified email', () => {
    const p = resolveProvider(parse({ name: 'github', type: 'github' }));
    expect(p).toMatchObject({
      protocol: 'oauth2',
      subjectClaim: 'id',
      emailsEndpoint: 'https://api.github.com/user/emails',
      scopes: ['read:user', 'user:email'],
    });
    expect(mapClaims(p, { id: 1, login: 'octocat', name: 'The Octocat', email: null })).toEqual({ name: 'The Octocat', preferred_username: 'octocat' });
    expect(
      primaryVerifiedEmail([
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'unverified@example.com', primary: true, verified: false },
      ]),
    ).toBeUndefined();
    expect(
      primaryVerifiedEmail([
        { email: 'a@example.com', primary: false, verified: true },
        { email: 'private@users.noreply.github.com', primary: true, verified: true },
      ]),
    ).toBe('private@users.noreply.github.com');
    expect(primaryVerifiedEmail({ message: 'Bad credentials' })).toBeUndefined();
  });

  it('apple: form_post, and a client secret that is an ES256 JWT for appleid.apple.com', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const apple = { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const p = resolveProvider(externalProviderSchema.parse({ name: 'apple', type: 'apple', clientId: 'com.example.web', apple }));
    expect(p).toMatchObject({ protocol: 'oidc', issuer: 'https://appleid.apple.com', responseMode: 'form_post' });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await appleClientSecret(apple, 'com.example.web', now);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    expect(decodeJwt(jwt)).toMatchObject({ iss: 'TEAM123456', sub: 'com.example.web', aud: 'https://appleid.apple.com', iat: now, exp: now + 300 });
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256');
    await expect(jwtVerify(jwt, key, { currentDate: new Date(now * 1000) })).resolves.toBeTruthy();
    expect(providerProblems(externalProviderSchema.parse({ name: 'apple', type: 'apple', clientId: 'x' }))).toEqual([
      'apple: apple (teamId, keyId, privateKeyPem) is required for type apple',
    ]);
  });

  it('generic OAuth 2.0 needs its endpoints; claim mapping renames claims', () => {
    expect(providerProblems(parse({ name: 'o', type: 'oauth2', issuer: 'https://o.example' }))).toHaveLength(3);
    const p = resolveProvider(
      parse({
        name: 'o',
        type: 'oauth2',
        issuer: 'https://o.example',
        authorizationEndpoint: 'https://o.example/authorize',
        tokenEndpoint: 'https://o.example/token',
        userinfoEndpoint: 'https://o.example/me',
        subjectClaim: 'user_id',
        claimMapping: { name: 'display_name', email: 'mail' },
      }),
    );
    expect(mapClaims(p, { user_id: 7, display_name: 'Ann', mail: 'ann@o.example' })).toEqual({ name: 'Ann', email: 'ann@o.example' });
  });

  it('rejects bad names and URLs', () => {
    expect(externalProviderSchema.safeParse({ name: 'Up Stream', clientId: 'x' }).success).toBe(false);
    expect(externalProviderSchema.safeParse({ name: 'up', clientId: 'x', issuer: 'javascript:alert(1)' }).success).toBe(false);
  });
});

describe('security warnings', () => {
  it('warns about an external provider over http off loopback and one without PKCE', async () => {
    const { parseConfig } = await import('../../src/config/load.js');
    const { warnings } = parseConfig({
      externalProviders: [
        { name: 'plain', issuer: 'http://idp.example', clientId: 'a', clientSecret: 's', usePkce: false },
        { name: 'local', issuer: 'http://127.0.0.1:8080', clientId: 'a', clientSecret: 's' },
      ],
    });
    const paths = warnings.map((w) => w.path);
    expect(paths).toContain('externalProviders[0].issuer');
    expect(paths).toContain('externalProviders[0].usePkce');
    expect(paths.filter((p) => p.startsWith('externalProviders[1]'))).toEqual([]);
  });
});

describe('startup checks', () => {
  it('an unusable or duplicate external provider fails the configuration with its path', async () => {
    const { parseConfig } = await import('../../src/config/load.js');
    expect(() =>
      parseConfig({
        externalProviders: [
          { name: 'a', issuer: 'https://a.example', clientId: 'x' },
          { name: 'b', issuer: 'https://b.example', clientId: 'x', clientSecret: 's' },
          { name: 'b', issuer: 'https://b.example', clientId: 'x', clientSecret: 's' },
        ],
      }),
    ).toThrow(/externalProviders\[0\]: clientSecret is required[\s\S]*externalProviders\[2\]: duplicate external provider "b"/);
  });
});
