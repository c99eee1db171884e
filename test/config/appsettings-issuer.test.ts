/**
 * `"IssuerUri": ""` in an IdentityServer appsettings.json means "not set"
 * (IdentityServer checks IssuerUri.IsPresent()), as in the documentation's
 * "Defining clients in appsettings.json" sample: the file loads, and
 * `gatehouse start` with it serves the issuer that PORT (or ISSUER) gives.
 */
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, mapAppSettings, parseConfig } from '../../src/config/index.js';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { basic, form } from '../helpers/server.js';

const SAMPLE = 'test/fixtures/appsettings-docs-sample.json';
const samplePath = fileURLToPath(new URL('../fixtures/appsettings-docs-sample.json', import.meta.url));

describe('IssuerUri left empty', () => {
  it('the documentation sample loads, with no issuer set and nothing to warn about', async () => {
    const { config, warnings } = await loadConfig(samplePath);
    expect(config.server.issuer).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(config.clients.map((c) => c.clientId)).toEqual(['local-dev']);
  });

  it('blank counts as empty; a value is still the issuer', () => {
    const section = (issuer: unknown) => ({ IdentityServer: { IssuerUri: issuer, ApiScopes: [{ Name: 'api1' }] } });
    expect(mapAppSettings(section('  ')).input.server).toBeUndefined();
    expect(parseConfig(section('')).config.server.issuer).toBeUndefined();
    expect(parseConfig(section('https://login.example.com')).config.server.issuer).toBe('https://login.example.com');
  });
});

describe('gatehouse start --config <the documentation sample>', () => {
  let gh: CliServer | undefined;
  afterEach(async () => {
    await gh?.close();
    gh = undefined;
  });

  const clientCredentials = async (url: string) => {
    const res = await fetch(`${url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('local-dev', 'secret') },
      body: form({ grant_type: 'client_credentials', scope: 'api1' }),
    });
    expect(res.status).toBe(200);
    return decodeJwt(((await res.json()) as { access_token: string }).access_token);
  };

  it('the issuer follows PORT, and the sample client gets a token', async () => {
    gh = await startCliServer({ config: SAMPLE });
    expect(gh.url).toBe(`http://localhost:${gh.port}`);
    const doc = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    expect(doc.issuer).toBe(gh.url);
    expect(doc.token_endpoint).toBe(`${gh.url}/connect/token`);
    const token = await clientCredentials(`http://127.0.0.1:${gh.port}`);
    expect(token).toMatchObject({ iss: gh.url, client_id: 'local-dev', scope: 'api1' });
  });

  it('the issuer follows ISSUER when it is set', async () => {
    gh = await startCliServer({ config: SAMPLE, env: { ISSUER: 'http://issuer.test:8443' } });
    const doc = (await (await fetch(`http://127.0.0.1:${gh.port}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(doc.issuer).toBe('http://issuer.test:8443');
  });
});
