/**
 * The published JSON Schema of the configuration file, generated from the zod
 * schema (committed as `gatehouse.schema.json`, referenced by `"$schema"`).
 */
import { z } from './zod-runtime.js';
import { configSchema } from './schema.js';
import { STANDARD_IDENTITY_RESOURCE_NAMES } from './standard-resources.js';

/**
 * JSON Schema (draft 2020-12) of the configuration as written in a file.
 * Objects reject unknown keys, as startup validation does.
 *
 * @example writeFileSync('gatehouse.schema.json', JSON.stringify(configJsonSchema(), null, 2) + '\n');
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const type = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def.type;
      if (type === 'object') ctx.jsonSchema.additionalProperties = false;
    },
  }) as Record<string, unknown> & { properties: Record<string, { items?: { anyOf?: Record<string, unknown>[] } }> };
  // A string entry of identityResources names a standard resource: offer the names to editors.
  const nameOption = schema.properties.identityResources?.items?.anyOf?.find((o) => o.type === 'string');
  if (nameOption) nameOption.enum = [...STANDARD_IDENTITY_RESOURCE_NAMES];
  return {
    $schema: schema.$schema,
    title: 'Gatehouse configuration',
    description: 'Clients, identity resources, API scopes and resources, test users, keys, store and UI of a Gatehouse server.',
    ...schema,
  };
}
