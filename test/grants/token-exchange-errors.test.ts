/**
 * Every refusal of the token exchange grant, through real HTTP, with the
 * error the specs name: RFC 8693 §2.2.2 (an invalid or unacceptable subject
 * or actor token, and an invalid request, are `invalid_request`; a target
 * outside policy is `invalid_target`), RFC 6749 §5.2 (`invalid_scope`,
 * `unauthorized_client`, `invalid_client`). Never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { demoConfig, startTestServer, basic, type TestServer } from '../helpers/server.js';
import { post, token } from '../endpoints/helpers.js';
import { defaultProfileService } from '../../src/extensions/profile-service.js';
import { issueAccessToken } from '../../src/tokens/token-service.js';
import { AT, GRANT, ID, JWT, RT, claimsOf, clientToken, exchange, partner, userTokens, withExchangeClients } from './token-exchange-fixture.js';

let s: TestServer;
let p: Awaited<ReturnType<typeof partner>>;
let alice: Awaited<ReturnType<typeof userTokens>>;
const suspended = new Set<string>();

beforeAll(async () => {
  p = await partner();
  s = await startTestServer({
    mutate: withExchangeClients,
    options: {
      subjectTokenValidator: p.validator,
      // The host suspends users: a suspended user's tokens are no longer exchanged.
      profileService: { ...defaultProfileService, isActive: ({ user, subject }) => user?.isActive === true && !suspended.has(subject) },
    },
  });
  alice = await userTokens(s.url);
});
afterAll(() => s.close());

/** Asserts an OAuth error answer: status, error code, and a description matching `description`. */
function refused(r: { status: number; body: Record<string, unknown> }, error: string, description: RegExp, status = 400) {
  expect(r.body.error).toBe(error);
  expect(r.status).toBe(status);
  expect(r.body.error_description).toMatch(description);
}

describe('token exchange errors: the request (invalid_request)', () => {
  it('missing subject_token or subject_token_type', async () => {
    refused(await exchange(s.url, { subject_token_type: AT }), 'invalid_request', /subject_token/);
    refused(await exchange(s.url, { subject_token: alice.access }), 'invalid_request', /subject_token_type/);
  });

  it('a repeated subject_token', async () => {
    refused(await exchange(s.url, { subject_token: [alice.access, alice.access], subject_token_type: AT }), 'invalid_request', /repeated/);
  });

  it('unsupported subject_token_type, actor_token_type and requested_token_type', async () => {
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }),
      'invalid_request',
      /subject_token_type .* not supported/,
    );
    // The demo client accepts access tokens only; an ID token is not among its subject token types.
    refused(await exchange(s.url, { subject_token: alice.id, subject_token_type: ID }), 'invalid_request', /subject_token_type .* not supported/);
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, actor_token: alice.access, actor_token_type: RT }),
      'invalid_request',
      /actor_token_type .* not supported/,
    );
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, requested_token_type: RT }),
      'invalid_request',
      /requested_token_type/,
    );
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, requested_token_type: ID }),
      'invalid_request',
      /requested_token_type/,
    );
  });

  it('actor_token without actor_token_type, and actor_token_type without actor_token (RFC 8693 §2.1)', async () => {
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, actor_token: alice.access }), 'invalid_request', /actor_token_type/);
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, actor_token_type: AT }), 'invalid_request', /without actor_token/);
  });
});

describe('token exchange errors: the subject token (invalid_request, RFC 8693 §2.2.2)', () => {
  it('malformed tokens', async () => {
    for (const t of ['not-a-token', 'a.b.c', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', `${alice.access} `]) {
      refused(await exchange(s.url, { subject_token: t, subject_token_type: AT }), 'invalid_request', /subject_token is invalid|repeated|too long/);
    }
  });

  it('a token of this issuer with a broken signature is refused without asking the host validator', async () => {
    const [h, pl, sig] = alice.access.split('.');
    const flipped = `${h}.${pl}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`;
    const calls = p.calls.length;
    refused(await exchange(s.url, { subject_token: flipped, subject_token_type: AT }), 'invalid_request', /subject_token is invalid/);
    expect(p.calls.length).toBe(calls);
  });

  it('a foreign token the host validator does not accept, and a validator that throws', async () => {
    const { sign } = await partner(); // another key: the validator rejects it
    refused(await exchange(s.url, { subject_token: await sign({ sub: 'x' }), subject_token_type: JWT }), 'invalid_request', /subject_token is invalid/);
    refused(await exchange(s.url, { subject_token: 'throw-me', subject_token_type: JWT }), 'invalid_request', /could not be validated/);
  });

  it('a token of a user who is no longer active (the profile service says so, caller token_exchange)', async () => {
    const bob = await userTokens(s.url, 'bob');
    suspended.add('2');
    try {
      refused(await exchange(s.url, { subject_token: bob.access, subject_token_type: AT }), 'invalid_request', /no longer active/);
    } finally {
      suspended.delete('2');
    }
    expect((await exchange(s.url, { subject_token: bob.access, subject_token_type: AT })).status).toBe(200);
  });

  it('a refresh token presented as an access token', async () => {
    refused(await exchange(s.url, { subject_token: alice.refresh, subject_token_type: AT }), 'invalid_request', /not an access token/);
  });

  it('an access token presented as an ID token, and an ID token as an access token', async () => {
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: ID }, 'exchange.narrow'), 'invalid_request', /subject_token is invalid/);
    refused(await exchange(s.url, { subject_token: alice.id, subject_token_type: AT }), 'invalid_request', /subject_token is invalid/);
  });

  it('revoked tokens (JWT and reference)', async () => {
    const jwt = await clientToken(s.url);
    const ref = await clientToken(s.url, 'm2m.ref');
    for (const [t, client] of [
      [jwt, 'm2m'],
      [ref, 'm2m.ref'],
    ] as const) {
      const rev = await post(s.url, '/connect/revocation', { token: t }, { authorization: basic(client, 'secret') });
      expect(rev.status).toBe(200);
      refused(await exchange(s.url, { subject_token: t, subject_token_type: AT }), 'invalid_request', /expired or revoked|is invalid/);
    }
  });

  it('a sender-constrained access token (cnf): no proof of its key is shown in an exchange', async () => {
    const m2m = s.gh.context.clients.find('m2m')!;
    const bound = await issueAccessToken(s.gh.context, { client: m2m, scopes: ['api'], audiences: ['api'], cnf: { jkt: 'x'.repeat(43) } });
    expect(claimsOf(bound.accessToken).cnf).toBeDefined();
    refused(await exchange(s.url, { subject_token: bound.accessToken, subject_token_type: AT }), 'invalid_request', /sender-constrained/);
  });

  it('tokens of a client or an audience the policy does not accept', async () => {
    // exchange.narrow accepts m2m's and interactive.confidential's tokens only.
    refused(
      await exchange(s.url, { subject_token: await clientToken(s.url, 'm2m2'), subject_token_type: AT }, 'exchange.narrow'),
      'invalid_request',
      /issued to a client/,
    );
    // The demo exchange client accepts tokens of audience api only.
    refused(await exchange(s.url, { subject_token: await clientToken(s.url, 'm2m2', 'api2'), subject_token_type: AT }), 'invalid_request', /audience/);
  });
});

describe('token exchange errors: acting (invalid_request, RFC 8693 §4.4)', () => {
  it('impersonation where the policy allows delegation only, delegation where it allows impersonation only', async () => {
    refused(await exchange(s.url, { subject_token: await clientToken(s.url), subject_token_type: AT }, 'exchange.narrow'), 'invalid_request', /impersonation/);
    refused(
      await exchange(
        s.url,
        { subject_token: alice.access, subject_token_type: AT, actor_token: await clientToken(s.url), actor_token_type: AT },
        'exchange.noact',
      ),
      'invalid_request',
      /delegation/,
    );
  });

  it('an actor that may_act does not name, and impersonation by a client it does not name', async () => {
    const subject = await p.sign({ sub: 'p-9', may_act: { sub: 'm2m' } });
    refused(
      await exchange(s.url, { subject_token: subject, subject_token_type: JWT, actor_token: await clientToken(s.url, 'm2m2'), actor_token_type: AT }),
      'invalid_request',
      /may_act/,
    );
    // may_act without iss means the subject token's issuer (the partner): m2m of this issuer is another party.
    refused(
      await exchange(s.url, { subject_token: subject, subject_token_type: JWT, actor_token: await clientToken(s.url), actor_token_type: AT }),
      'invalid_request',
      /may_act/,
    );
    refused(await exchange(s.url, { subject_token: subject, subject_token_type: JWT }), 'invalid_request', /may_act/);
  });

  it('an invalid actor token', async () => {
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, actor_token: 'nope', actor_token_type: AT }),
      'invalid_request',
      /actor_token is invalid/,
    );
  });
});

describe('token exchange errors: scope and target', () => {
  it('a scope beyond the subject token’s (invalid_scope)', async () => {
    // m2m's token carries api only; exchange.noact may request api2, the subject token does not allow it.
    refused(
      await exchange(s.url, { subject_token: await clientToken(s.url), subject_token_type: AT, scope: 'api2' }, 'exchange.noact'),
      'invalid_scope',
      /exceeds/,
    );
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, scope: 'api offline_access' }), 'invalid_scope', /refresh token/);
  });

  it('a scope of the subject token the client may not request (invalid_scope)', async () => {
    // alice's token carries profile; the exchange client is allowed api only.
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, scope: 'profile' }), 'invalid_scope', /not allowed/);
  });

  it('an audience or resource outside policy, unknown, or not reached by the scopes (invalid_target)', async () => {
    const actor = { actor_token: await clientToken(s.url), actor_token_type: AT };
    const m2m2 = await clientToken(s.url, 'm2m2', 'api api2');
    refused(
      await exchange(s.url, { subject_token: m2m2, subject_token_type: AT, audience: 'api2', ...actor }, 'exchange.narrow'),
      'invalid_target',
      /target api2/,
    );
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, audience: 'unknown-api' }), 'invalid_target', /unknown resource/);
    refused(
      await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, resource: 'https://elsewhere.example/' }),
      'invalid_target',
      /unknown resource/,
    );
    refused(
      await exchange(s.url, { subject_token: m2m2, subject_token_type: AT, audience: 'api2', scope: 'api' }, 'exchange.noact'),
      'invalid_target',
      /not reachable/,
    );
    const many = Array.from({ length: 11 }, (_, i) => `https://api${i}.example/`);
    refused(await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, resource: many }), 'invalid_target', /at most 10/);
  });
});

describe('token exchange errors: the client', () => {
  it('a client without the grant (unauthorized_client)', async () => {
    const r = await token(s.url, { grant_type: GRANT, subject_token: alice.access, subject_token_type: AT }, { authorization: basic('m2m', 'secret') });
    refused(r, 'unauthorized_client', /not allowed the grant type/);
  });

  it('a public client (unauthorized_client without the grant; the grant is refused to public clients at startup)', async () => {
    const r = await token(s.url, { grant_type: GRANT, client_id: 'interactive.public', subject_token: alice.access, subject_token_type: AT });
    refused(r, 'unauthorized_client', /not allowed the grant type/);
    const config = demoConfig();
    const pub = (config.clients ?? []).find((c) => c.clientId === 'interactive.public')!;
    pub.allowedGrantTypes = [...(pub.allowedGrantTypes ?? []), GRANT];
    expect(() => parseConfig(config)).toThrow(ConfigError);
    try {
      parseConfig(config);
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.message)).toContain('token exchange needs a confidential client (requireClientSecret is false)');
    }
  });

  it('config: a policy that accepts subject tokens of any audience starts with a warning naming the setting', () => {
    const config = demoConfig();
    withExchangeClients(config);
    const i = (config.clients ?? []).findIndex((c) => c.clientId === 'exchange.noact');
    const { warnings } = parseConfig(config);
    expect(warnings.filter((w) => w.path.includes('tokenExchange'))).toEqual([
      { path: `clients[${i}].tokenExchange.subjectTokenAudiences`, message: expect.stringMatching(/any audience \(RFC 8693 §5\)/) },
    ]);
  });

  it('wrong client credentials (invalid_client, 401)', async () => {
    const r = await token(s.url, { grant_type: GRANT, subject_token: alice.access, subject_token_type: AT }, { authorization: basic('exchange', 'wrong') });
    refused(r, 'invalid_client', /./, 401);
  });
});

describe('token exchange errors: odd input is a 4xx OAuth error, never a 5xx', () => {
  it.each([
    ['a huge subject_token', { subject_token: 'x'.repeat(20_000), subject_token_type: AT }],
    ['control characters', { subject_token: '\u0000\u0001', subject_token_type: AT }],
    ['dots only', { subject_token: '....', subject_token_type: AT }],
    ['a JWS with a JSON array payload', { subject_token: `eyJhbGciOiJFUzI1NiJ9.${Buffer.from('[1]').toString('base64url')}.c2ln`, subject_token_type: ID }],
    ['a JWE-shaped token', { subject_token: 'a.b.c.d.e', subject_token_type: JWT }],
    ['a very long token type', { subject_token: 'abc', subject_token_type: 'urn:' + 'x'.repeat(300) }],
    ['a non-ASCII token type', { subject_token: 'abc', subject_token_type: 'urn:ietf:params:oauth:token-type:äccess_token' }],
    ['many audiences', { subject_token: 'abc', subject_token_type: AT, audience: Array.from({ length: 50 }, (_, i) => `a${i}`) }],
    ['a repeated scope', { subject_token: 'abc', subject_token_type: AT, scope: ['api', 'api'] }],
  ])('%s', async (_name, params) => {
    const r = await exchange(s.url, params);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(typeof r.body.error).toBe('string');
  });
});

describe('token exchange errors: expiry (last: moves the clock)', () => {
  it('an expired subject token or actor token', async () => {
    const short = await clientToken(s.url, 'm2m.short');
    const live = await clientToken(s.url);
    s.clock.advance(76);
    refused(await exchange(s.url, { subject_token: short, subject_token_type: AT }), 'invalid_request', /expired/);
    refused(
      await exchange(s.url, { subject_token: live, subject_token_type: AT, actor_token: short, actor_token_type: AT }),
      'invalid_request',
      /actor_token is expired/,
    );
    // An ID token lives 300 s.
    s.clock.advance(300);
    refused(
      await exchange(s.url, { subject_token: alice.id, subject_token_type: ID, actor_token: live, actor_token_type: AT }, 'exchange.narrow'),
      'invalid_request',
      /expired/,
    );
  });
});
