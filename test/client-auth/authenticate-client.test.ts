import { describe, expect, it } from 'vitest';
import { authenticateClient } from '../../src/client-auth/authenticate-client.js';
import { hashSecret } from '../../src/client-auth/secrets.js';
import { OAuthError } from '../../src/errors.js';
import { basicAuth, createTestContext, tokenRequest } from './context.js';

const SECRET = 'se:cr%et+';

function context() {
  return createTestContext([
    { clientId: 'app', clientSecrets: [{ value: hashSecret(SECRET) }], allowedGrantTypes: ['client_credentials'] },
    { clientId: 'app two', clientSecrets: [{ value: hashSecret('p@ss word') }] },
    { clientId: 'post-only', clientSecrets: [{ value: hashSecret('post') }], tokenEndpointAuthMethods: ['client_secret_post'] },
    { clientId: 'spa', requireClientSecret: false },
    { clientId: 'off', enabled: false, clientSecrets: [{ value: hashSecret('off') }] },
    {
      clientId: 'rotating',
      clientSecrets: [{ value: hashSecret('old'), expiration: '2024-12-31T00:00:00Z' }, { value: hashSecret('new') }],
    },
    { clientId: 'stale', clientSecrets: [{ value: hashSecret('stale'), expiration: '2024-06-01' }] },
  ]);
}

/** The OAuthError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<OAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}

function expectInvalidClient(err: OAuthError, description = 'client authentication failed') {
  expect(err.error).toBe('invalid_client');
  expect(err.status).toBe(401);
  expect(err.description).toBe(description);
  expect(err.headers?.['www-authenticate']).toBe('Basic realm="gatehouse"');
}

describe('authenticateClient: client_secret_basic', () => {
  it('accepts form-urlencoded credentials with special characters', async () => {
    const ctx = context();
    const req = tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth('app', SECRET) });
    // the header really carries the encoded form
    expect(Buffer.from(req.headers.authorization!.slice(6), 'base64').toString()).toBe('app:se%3Acr%25et%2B');
    const { client, method } = await authenticateClient(req, ctx, 'token');
    expect(client.clientId).toBe('app');
    expect(method).toBe('client_secret_basic');
    expect(ctx.emitted.at(-1)).toMatchObject({ type: 'client_authentication_success', clientId: 'app' });
  });

  it('decodes + as a space in client id and secret', async () => {
    const ctx = context();
    const header = `Basic ${Buffer.from('app+two:p%40ss+word').toString('base64')}`;
    const { client } = await authenticateClient(tokenRequest({}, { authorization: header }), ctx, 'token');
    expect(client.clientId).toBe('app two');
  });

  it('accepts the scheme name case-insensitively', async () => {
    const header = basicAuth('app', SECRET).replace('Basic', 'bAsIc');
    const { method } = await authenticateClient(tokenRequest({}, { authorization: header }), context(), 'token');
    expect(method).toBe('client_secret_basic');
  });

  it('rejects the raw (not form-encoded) secret', async () => {
    const header = `Basic ${Buffer.from(`app:${SECRET}`).toString('base64')}`;
    // '%et' is no valid percent-escape: malformed
    const err = await failure(authenticateClient(tokenRequest({}, { authorization: header }), context(), 'token'));
    expect(err.error).toBe('invalid_request');
  });

  it.each([
    ['not base64', 'Basic %%%not-base64%%%'],
    ['no colon', `Basic ${Buffer.from('app').toString('base64')}`],
    ['empty client id', `Basic ${Buffer.from(':secret').toString('base64')}`],
    ['no credentials', 'Basic'],
  ])('answers invalid_request for malformed credentials (%s)', async (_name, header) => {
    const err = await failure(authenticateClient(tokenRequest({}, { authorization: header }), context(), 'token'));
    expect(err.error).toBe('invalid_request');
    expect(err.status).toBe(400);
  });

  it('answers a wrong secret with 401 and WWW-Authenticate, reason only in detail', async () => {
    const ctx = context();
    const req = tokenRequest({}, { authorization: basicAuth('app', 'wrong') });
    const err = await failure(authenticateClient(req, ctx, 'token'));
    expectInvalidClient(err);
    expect(err.detail).toBe('wrong client secret');
    expect(ctx.emitted.at(-1)).toMatchObject({ type: 'client_authentication_failure', detail: { method: 'client_secret_basic' } });
  });

  it('gives unknown and disabled clients the same public answer as a wrong secret', async () => {
    const ctx = context();
    const unknown = await failure(authenticateClient(tokenRequest({}, { authorization: basicAuth('nobody', 'x') }), ctx, 'token'));
    const disabled = await failure(authenticateClient(tokenRequest({}, { authorization: basicAuth('off', 'off') }), ctx, 'token'));
    expectInvalidClient(unknown);
    expectInvalidClient(disabled);
    expect(unknown.detail).toMatch(/unknown client/);
    expect(disabled.detail).toMatch(/disabled/);
  });

  it('refuses a method the client is not allowed', async () => {
    const err = await failure(authenticateClient(tokenRequest({}, { authorization: basicAuth('post-only', 'post') }), context(), 'token'));
    expectInvalidClient(err);
    expect(err.detail).toMatch(/may not use client_secret_basic/);
  });

  it('rejects a client_id in the body that names another client', async () => {
    const req = tokenRequest({ client_id: 'spa' }, { authorization: basicAuth('app', SECRET) });
    const err = await failure(authenticateClient(req, context(), 'token'));
    expectInvalidClient(err, 'client_id does not match the client credentials');
  });

  it('accepts a client_id in the body that names the same client', async () => {
    const req = tokenRequest({ client_id: 'app' }, { authorization: basicAuth('app', SECRET) });
    expect((await authenticateClient(req, context(), 'token')).method).toBe('client_secret_basic');
  });

  it('ignores other Authorization schemes', async () => {
    const req = tokenRequest({ client_id: 'spa' }, { authorization: 'Bearer abc' });
    expect((await authenticateClient(req, context(), 'token')).method).toBe('none');
  });
});

describe('authenticateClient: client_secret_post', () => {
  it('accepts client_id and client_secret in the body', async () => {
    const req = tokenRequest({ client_id: 'post-only', client_secret: 'post' });
    const { client, method } = await authenticateClient(req, context(), 'revocation');
    expect([client.clientId, method]).toEqual(['post-only', 'client_secret_post']);
  });

  it('rejects a wrong secret', async () => {
    const err = await failure(authenticateClient(tokenRequest({ client_id: 'app', client_secret: 'nope' }), context(), 'token'));
    expectInvalidClient(err);
  });

  it('rejects client_secret without client_id', async () => {
    const err = await failure(authenticateClient(tokenRequest({ client_secret: SECRET }), context(), 'token'));
    expectInvalidClient(err, 'client authentication required');
  });

  it('rejects repeated parameters as invalid_request', async () => {
    for (const form of [
      { client_id: ['app', 'app'], client_secret: SECRET },
      { client_id: 'app', client_secret: [SECRET, SECRET] },
    ]) {
      const err = await failure(authenticateClient(tokenRequest(form), context(), 'token'));
      expect(err.error).toBe('invalid_request');
      expect(err.description).toMatch(/must not be repeated/);
    }
  });

  it('rejects an over-long client_id as invalid_request', async () => {
    const err = await failure(authenticateClient(tokenRequest({ client_id: 'x'.repeat(201), client_secret: 's' }), context(), 'token'));
    expect(err.error).toBe('invalid_request');
  });

  it('refuses to pick between Basic header and body secret', async () => {
    const req = tokenRequest({ client_id: 'app', client_secret: SECRET }, { authorization: basicAuth('app', SECRET) });
    const err = await failure(authenticateClient(req, context(), 'token'));
    expect(err.error).toBe('invalid_request');
    expect(err.description).toBe('multiple client authentication methods');
  });
});

describe('authenticateClient: secret expiry', () => {
  it('accepts the unexpired secret of a rotating client and refuses the expired one', async () => {
    const ctx = context();
    expect((await authenticateClient(tokenRequest({ client_id: 'rotating', client_secret: 'new' }), ctx, 'token')).client.clientId).toBe('rotating');
    const err = await failure(authenticateClient(tokenRequest({ client_id: 'rotating', client_secret: 'old' }), ctx, 'token'));
    expectInvalidClient(err, 'client secret expired');
  });

  it('says "expired" only to a caller who knows the expired secret', async () => {
    const ctx = context();
    const knows = await failure(authenticateClient(tokenRequest({}, { authorization: basicAuth('stale', 'stale') }), ctx, 'token'));
    expectInvalidClient(knows, 'client secret expired');
    const guesses = await failure(authenticateClient(tokenRequest({}, { authorization: basicAuth('stale', 'guess') }), ctx, 'token'));
    expectInvalidClient(guesses);
    expect(guesses.detail).toMatch(/every secret of the client has expired/);
  });

  it('honours the injected clock', async () => {
    const ctx = context();
    ctx.clock.set(Date.parse('2024-01-01T00:00:00Z') / 1000);
    const { client } = await authenticateClient(tokenRequest({}, { authorization: basicAuth('stale', 'stale') }), ctx, 'token');
    expect(client.clientId).toBe('stale');
  });
});

describe('authenticateClient: none', () => {
  it('accepts a public client by client_id alone', async () => {
    const { client, method } = await authenticateClient(tokenRequest({ client_id: 'spa' }), context(), 'token');
    expect([client.clientId, method, client.isPublic]).toEqual(['spa', 'none', true]);
  });

  it('refuses a public client that presents a secret', async () => {
    const err = await failure(authenticateClient(tokenRequest({ client_id: 'spa', client_secret: 'x' }), context(), 'token'));
    expectInvalidClient(err);
    expect(err.detail).toMatch(/may not use client_secret_post/);
  });

  it('refuses a confidential client that presents no secret', async () => {
    const err = await failure(authenticateClient(tokenRequest({ client_id: 'app' }), context(), 'token'));
    expectInvalidClient(err);
    expect(err.detail).toMatch(/may not use none/);
  });

  it('requires some client identification', async () => {
    const err = await failure(authenticateClient(tokenRequest({ grant_type: 'client_credentials' }), context(), 'token'));
    expectInvalidClient(err, 'client authentication required');
  });
});
