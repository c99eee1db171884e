/** The admin API's OpenAPI document: generated from the request schemas, committed as docs/admin-openapi.json. */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adminOpenApi } from '../../src/admin/openapi.js';
import { clientCreateSchema } from '../../src/admin/admin-schemas.js';

const committed = fileURLToPath(new URL('../../docs/admin-openapi.json', import.meta.url));
const render = () => `${JSON.stringify(adminOpenApi('/admin/api/v1', '/connect/token'), null, 2)}\n`;

describe('admin OpenAPI document', () => {
  it('matches the committed docs/admin-openapi.json (UPDATE_SCHEMA=1 rewrites it)', async () => {
    if (process.env.UPDATE_SCHEMA === '1') await writeFile(committed, render());
    expect(await readFile(committed, 'utf8')).toBe(render());
  });

  it('is OpenAPI 3.1 whose client schema is the one that validates requests', () => {
    const doc = adminOpenApi('/admin/api/v1', '/connect/token') as any;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.components.schemas.ClientCreate;
    expect(create.required).toEqual(['clientId']);
    expect(create.additionalProperties).toBe(false);
    expect(Object.keys(create.properties).sort()).toEqual(Object.keys(clientCreateSchema.shape).sort());
    expect(create.properties.clientSecrets).toBeUndefined();
    expect(doc.components.securitySchemes.gatehouse.flows.clientCredentials.scopes).toHaveProperty('gatehouse.admin.read');
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const op of ['get', 'post', 'put', 'delete'].filter((m) => item[m])) expect(item[op].responses, `${op} ${path}`).toBeTruthy();
    }
  });
});
