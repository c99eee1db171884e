/**
 * Client claims (`claims`, `clientClaimsPrefix`) never take the name of a
 * protocol claim: refused with their path when the configuration loads, and
 * skipped when an access token is built for a client that came from elsewhere.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, compileClients, parseConfig } from '../../src/config/index.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { demoConfig, startTestServer, type TestServer } from '../helpers/server.js';
import { clientOf, m2mToken } from '../endpoints/helpers.js';

function issuesOf(mutate: (c: ConfigInput) => void): readonly { path: string; message: string }[] {
  const config = demoConfig();
  mutate(config);
  try {
    parseConfig(config);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}
const m2mIndex = (c: ConfigInput) => (c.clients as { clientId: string }[]).findIndex((x) => x.clientId === 'm2m');

describe('client claims with reserved names', () => {
  it('are refused at load with the path of each, with an empty prefix', () => {
    let i = -1;
    const issues = issuesOf((c) => {
      i = m2mIndex(c);
      Object.assign(clientOf(c, 'm2m'), {
        clientClaimsPrefix: '',
        claims: ['tier', 'sub', 'aud', 'iss', 'exp', 'scope', 'cnf', 'act'].map((type) => ({ type, value: 'x' })),
      });
    });
    expect(issues.map((x) => x.path)).toEqual([1, 2, 3, 4, 5, 6, 7].map((j) => `clients[${i}].claims[${j}].type`));
    expect(issues[0].message).toMatch(/^"sub" is a protocol claim of the token/);
  });

  it('are refused when the prefix makes the name reserved (client_ + id)', () => {
    const issues = issuesOf((c) => void (clientOf(c, 'm2m').claims = [{ type: 'id', value: 'evil' }]));
    expect(issues.map((x) => x.message)).toEqual([expect.stringMatching(/^"client_id" is a protocol claim/)]);
  });

  it('with the default prefix, ordinary names are fine', () => {
    expect(
      issuesOf(
        (c) =>
          void (clientOf(c, 'm2m').claims = [
            { type: 'sub', value: 'x' },
            { type: 'tier', value: 'gold' },
          ]),
      ),
    ).toEqual([]);
  });
});

describe('issuance guard', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  it('an access token keeps its own sub, aud, iss and exp whatever a client from a store claims', async () => {
    // A client that skipped the load checks (e.g. from a store).
    const config = demoConfig();
    Object.assign(clientOf(config, 'm2m'), {
      clientClaimsPrefix: '',
      claims: [
        { type: 'sub', value: 'admin' },
        { type: 'aud', value: 'other-api' },
        { type: 'iss', value: 'https://evil.example' },
        { type: 'exp', value: '9999999999' },
        { type: 'tier', value: 'gold' },
      ],
    });
    const original = s.gh.context.clients;
    s.gh.context.clients = compileClients(configSchema.parse(config));
    try {
      const claims = decodeJwt(await m2mToken(s.url));
      expect(claims).toMatchObject({ sub: 'm2m', aud: 'api', iss: s.url, tier: 'gold' });
      expect(claims.exp).toBe((claims.iat as number) + 3600);
    } finally {
      s.gh.context.clients = original;
    }
  });
});
