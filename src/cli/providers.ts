/**
 * `gatehouse providers ...`: dynamic external identity providers stored in
 * the backend (Duende's dynamic providers). Every node sees a change within
 * `federation.providerCacheTtl` seconds, without a restart.
 *
 *   providers add <name> --issuer URL --client-id ID [--client-secret S | --client-secret-stdin]
 *                 [--type oidc|oauth2|google|microsoft|github|apple] [--display-name N] [--scope S ...] [--domain D ...]
 *                 [--tenant T] [--authorization-endpoint U] [--token-endpoint U] [--userinfo-endpoint U]
 *                 (adds, or replaces the stored provider of that name)
 *   providers list [--json]
 *   providers disable <name> | enable <name> | remove <name>
 */
import { parseArgs } from 'node:util';
import { joinOptionValues } from './option-values.js';
import type { Clock } from '../model/types.js';
import type { FederationStore } from '../stores/types.js';
import { externalProviderSchema, type ExternalProviderInput } from '../federation/provider-schema.js';
import { providerProblems } from '../federation/presets.js';

export interface ProvidersCommandContext {
  store: FederationStore;
  /** The providers of the config file (listed, marked as such). */
  configured: readonly { name: string; type: string; enabled: boolean }[];
  out: (s: string) => void;
  err: (s: string) => void;
  clock: Clock;
  stdin?: AsyncIterable<string | Uint8Array>;
}

const USAGE = `usage:
  gatehouse providers add <name> --issuer URL --client-id ID [--client-secret S | --client-secret-stdin]
        [--type oidc|oauth2|google|microsoft|github|apple] [--display-name NAME] [--scope S ...] [--domain D ...]
        [--tenant T] [--authorization-endpoint URL] [--token-endpoint URL] [--userinfo-endpoint URL] [--auth-method M]
  gatehouse providers list [--json]
  gatehouse providers disable <name> | enable <name> | remove <name>`;

const OPTIONS = {
  issuer: { type: 'string' },
  type: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-secret-stdin': { type: 'boolean' },
  'display-name': { type: 'string' },
  scope: { type: 'string', multiple: true },
  domain: { type: 'string', multiple: true },
  tenant: { type: 'string' },
  'authorization-endpoint': { type: 'string' },
  'token-endpoint': { type: 'string' },
  'userinfo-endpoint': { type: 'string' },
  'auth-method': { type: 'string' },
  json: { type: 'boolean' },
} as const;

async function readAll(stdin: AsyncIterable<string | Uint8Array>): Promise<string> {
  let s = '';
  for await (const chunk of stdin) s += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return s.replace(/\r?\n$/, '');
}

export async function runProvidersCommand(args: string[], ctx: ProvidersCommandContext): Promise<number> {
  const [sub, ...rest] = args[0] === 'providers' ? args.slice(1) : args;
  let parsed: { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: joinOptionValues(rest, OPTIONS), options: OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    ctx.err(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const name = parsed.positionals[0];
  const str = (k: string) => (typeof v[k] === 'string' ? v[k] : undefined);
  switch (sub) {
    case 'list': {
      const stored = await ctx.store.listProviders();
      const rows = [
        ...ctx.configured.map((p) => ({ name: p.name, type: p.type, enabled: p.enabled, source: 'config' })),
        ...stored.map((p) => ({
          name: p.name,
          type: typeof p.document.type === 'string' ? p.document.type : 'oidc',
          enabled: p.document.enabled !== false,
          source: 'store',
        })),
      ];
      if (v.json) ctx.out(JSON.stringify(rows, null, 2));
      else ctx.out(['name\ttype\tenabled\tsource', ...rows.map((r) => `${r.name}\t${r.type}\t${r.enabled ? 'yes' : 'no'}\t${r.source}`)].join('\n'));
      return 0;
    }
    case 'add': {
      if (!name) {
        ctx.err(`providers add needs a name\n${USAGE}`);
        return 2;
      }
      const secret = v['client-secret-stdin'] ? await readAll(ctx.stdin ?? process.stdin) : str('client-secret');
      const input: ExternalProviderInput = {
        name,
        type: (str('type') ?? 'oidc') as ExternalProviderInput['type'],
        issuer: str('issuer'),
        clientId: str('client-id') ?? '',
        clientSecret: secret,
        displayName: str('display-name'),
        scopes: Array.isArray(v.scope) ? v.scope : undefined,
        domains: Array.isArray(v.domain) ? v.domain : undefined,
        tenant: str('tenant'),
        authorizationEndpoint: str('authorization-endpoint'),
        tokenEndpoint: str('token-endpoint'),
        userinfoEndpoint: str('userinfo-endpoint'),
        tokenEndpointAuthMethod: str('auth-method') as ExternalProviderInput['tokenEndpointAuthMethod'],
      };
      const result = externalProviderSchema.safeParse(JSON.parse(JSON.stringify(input)));
      if (!result.success) {
        ctx.err(result.error.issues.map((i) => `${i.path.join('.') || 'provider'}: ${i.message}`).join('\n'));
        return 1;
      }
      const problems = providerProblems(result.data);
      if (problems.length) {
        ctx.err(problems.join('\n'));
        return 1;
      }
      // The stored document is the input (defaults stay defaults); the client secret is kept as given: the upstream needs it.
      await ctx.store.putProvider({ name, document: JSON.parse(JSON.stringify(input)) as Record<string, unknown>, updatedAt: ctx.clock.now() });
      ctx.out(`stored provider ${name}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const stored = (await ctx.store.listProviders()).find((p) => p.name === name);
      if (!stored) {
        ctx.err(
          `no stored provider named ${JSON.stringify(name ?? '')}${ctx.configured.some((p) => p.name === name) ? ' (it is in the config file: change it there)' : ''}`,
        );
        return 1;
      }
      await ctx.store.putProvider({ ...stored, document: { ...stored.document, enabled: sub === 'enable' }, updatedAt: ctx.clock.now() });
      ctx.out(`${sub}d provider ${name}`);
      return 0;
    }
    case 'remove': {
      if (!name || !(await ctx.store.deleteProvider(name))) {
        ctx.err(`no stored provider named ${JSON.stringify(name ?? '')}`);
        return 1;
      }
      ctx.out(`removed provider ${name}`);
      return 0;
    }
    default:
      ctx.err(USAGE);
      return 2;
  }
}
