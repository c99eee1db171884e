/**
 * The README's device flow walkthrough is right: its curl commands, run as
 * written against the demo configuration (the issuer replaced by the test
 * server's), give the answers the README shows, with bob approving on the
 * verification page in between.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { approveOnDevicePage } from '../helpers/device-page-flow.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('### The device flow'));
const block = section.slice(section.indexOf('```sh') + 5, section.indexOf('```', section.indexOf('```sh') + 5));
const curls = block.split('\n').filter((l) => l.startsWith('curl '));

/** A `curl -s -d a=b -d "c=d e" URL` line as form fields and URL. */
function parseCurl(line: string): { fields: [string, string][]; url: string } {
  const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
  const fields: [string, string][] = [];
  let url = '';
  for (let i = 1; i < words.length; i++) {
    if (words[i] === '-d') {
      const [k, ...v] = words[++i].split('=');
      fields.push([k, v.join('=')]);
    } else if (words[i].startsWith('http')) url = words[i];
  }
  return { fields, url };
}

describe('README device flow walkthrough', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());
  const run = async (line: string, values: Record<string, string> = {}) => {
    const { fields, url } = parseCurl(line);
    const body = new URLSearchParams(fields.map(([k, v]) => [k, v.replace(/^<(\w+)>$/, (_, name: string) => values[name] ?? v)]));
    const res = await fetch(url.replace('http://localhost:5000', s.url), { method: 'POST', body });
    return (await res.json()) as Record<string, unknown>;
  };

  it('has the two curl commands: the device authorization request and the poll', () => {
    expect(curls).toHaveLength(2);
    expect(parseCurl(curls[0]).url).toBe('http://localhost:5000/connect/deviceauthorization');
    expect(parseCurl(curls[1]).url).toBe('http://localhost:5000/connect/token');
  });

  it('answers as the README shows, before and after bob allows', async () => {
    const d = await run(curls[0]);
    expect(block).toContain(`"expires_in":${String(d.expires_in)},"interval":${String(d.interval)}`);
    expect(d.verification_uri).toBe(`${s.url}/ui/device`);
    expect(block).toContain('"verification_uri":"http://localhost:5000/ui/device"');
    expect(d.verification_uri_complete).toBe(`${s.url}/ui/device?user_code=${d.user_code as string}`);
    const pending = await run(curls[1], { device_code: d.device_code as string });
    expect(block).toContain(`{"error":"${pending.error as string}"`);
    const fast = await run(curls[1], { device_code: d.device_code as string });
    expect(block).toContain(`"${fast.error as string}"`);
    await approveOnDevicePage(s.url, d.user_code as string, { username: 'bob', password: 'bob' });
    const tokens = await run(curls[1], { device_code: d.device_code as string });
    const shown = block.slice(block.indexOf('after Allow:'));
    for (const key of Object.keys(tokens)) expect(shown).toContain(`"${key}"`);
    expect(shown).toContain(`"scope":"${tokens.scope as string}"`);
    expect(shown).toContain(`"token_type":"${tokens.token_type as string}","expires_in":${String(tokens.expires_in)}`);
  });
});
