/** The provider's own logger: JSON or pretty by terminal, levels by config, credential fields redacted. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const out = Object.assign(
    new Writable({
      write(c, _e, cb) {
        chunks.push(String(c));
        cb();
      },
    }),
    { isTTY },
  );
  return { out, text: () => chunks.join('') };
}

const config = (server: Record<string, unknown> = {}) => configSchema.parse({ server });

describe('createLogger', () => {
  it('writes JSON lines when stdout is not a terminal, at the configured level', async () => {
    const c = capture(false);
    const log = await createLogger(config({ logLevel: 'warn' }), c.out);
    log.info('hidden');
    log.warn({ requestId: 'r1' }, 'shown');
    const lines = c
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'shown', requestId: 'r1' })]);
  });

  it('writes pretty lines on a terminal (logFormat auto) and JSON when forced', async () => {
    const tty = capture(true);
    (await createLogger(config(), tty.out)).info({ requestId: 'r2' }, 'hello');
    await new Promise((r) => setTimeout(r, 20));
    expect(tty.text()).toContain('hello');
    expect(() => JSON.parse(tty.text())).toThrow();
    const forced = capture(true);
    (await createLogger(config({ logFormat: 'json' }), forced.out)).info('plain');
    expect(JSON.parse(forced.text())).toMatchObject({ msg: 'plain' });
  });

  it('redacts credential fields passed by mistake, top level and one level down', async () => {
    const c = capture(false);
    (await createLogger(config(), c.out)).info(
      { password: 'pw-123', body: { client_secret: 'cs-456', refresh_token: 'rt-789' }, headers: { authorization: 'Basic abc' } },
      'oops',
    );
    const text = c.text();
    for (const v of ['pw-123', 'cs-456', 'rt-789', 'Basic abc']) expect(text).not.toContain(v);
    expect(JSON.parse(text).body.client_secret).toBe('[redacted]');
  });
});
