import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/index.js';

const committed = fileURLToPath(new URL('../../gatehouse.schema.json', import.meta.url));
const render = () => `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

describe('published JSON Schema', () => {
  it('matches the committed gatehouse.schema.json (UPDATE_SCHEMA=1 rewrites it)', async () => {
    if (process.env.UPDATE_SCHEMA === '1') await writeFile(committed, render());
    expect(await readFile(committed, 'utf8')).toBe(render());
  });

  it('describes the input form: durations as number or string, objects closed', () => {
    const schema = configJsonSchema() as any;
    const client = schema.properties.clients.items;
    expect(client.additionalProperties).toBe(false);
    expect(client.required).toEqual(['clientId']);
    expect(client.properties.accessTokenLifetime.anyOf.map((s: any) => s.type)).toEqual(['integer', 'string']);
    expect(client.properties.accessTokenType.enum).toEqual(['jwt', 'reference']);
    expect(schema.properties.users.items.properties.claims.additionalProperties).not.toBe(false);
    expect(schema.properties.$schema.type).toBe('string');
    expect(schema.properties.identityResources.items.anyOf[0].enum).toContain('offline_access');
  });
});
