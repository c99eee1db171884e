/**
 * Validation of a configuration in the native model: unknown keys, the zod
 * schema and the cross-field checks all run, so one failure lists every
 * problem; then defaults are completed and insecure settings collected.
 */
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigIssue, type ConfigWarning } from './config-error.js';
import { crossCheck } from './cross-checks.js';
import { insecureSettings } from './insecure-settings.js';
import { isRecord } from './loose-input.js';
import { configSchema, duration, type Config } from './schema.js';
import { resolveIdentityResource } from './standard-resources.js';
import { unknownKeys } from './unknown-keys.js';
import { externalProviderIssues } from '../federation/provider-checks.js';

export interface ValidateOptions {
  /** Grant types registered beside the built-in ones (`registerGrant`). */
  extraGrantTypes?: readonly string[];
  /** Where the configuration came from, for the error message (a file path). */
  source?: string;
}

/**
 * Validates a native-model configuration. Throws {@link ConfigError} listing
 * every problem; returns the parsed configuration (standard identity resource
 * names resolved to full definitions) and the insecure-setting warnings.
 *
 * @example
 * const { config, warnings } = validateConfig({ clients: [{ clientId: 'm2m', ... }] });
 */
export function validateConfig(input: unknown, opts: ValidateOptions = {}): { config: Config; warnings: ConfigWarning[] } {
  if (!isRecord(input)) throw new ConfigError([{ path: '(root)', message: 'must be an object' }], opts.source);
  const parsed = configSchema.safeParse(input);
  const issues = sortByPath(
    dedupe([
      ...(parsed.success ? externalProviderIssues(parsed.data.externalProviders) : parsed.error.issues.map(fromZodIssue)),
      ...unknownKeys(configSchema, input),
      ...crossCheck(input, opts.extraGrantTypes),
    ]),
  );
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues, opts.source);
  const config = complete(parsed.data);
  return { config, warnings: insecureSettings(config) };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\n${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Document order: `clients[2]` before `clients[10]`, problems of one value together. */
function sortByPath(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => a.issue.path.localeCompare(b.issue.path, 'en', { numeric: true }) || a.index - b.index)
    .map((x) => x.issue);
}

/** A zod issue as a path and reason; for unions, the reason from the branch that fits the value's type. */
function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const atUnion = (branch: z.core.$ZodIssue[]) => branch.length > 0 && branch[0].code === 'invalid_type' && branch[0].path.length === 0;
    const fitting = issue.errors.find((branch) => !atUnion(branch));
    if (fitting && fitting[0]) return fromZodIssue({ ...fitting[0], path: [...issue.path, ...fitting[0].path] });
    const expected = issue.errors.map((b) => (b[0] && b[0].code === 'invalid_type' ? b[0].expected : 'other'));
    return { path: formatPath(issue.path), message: `expected ${[...new Set(expected)].join(' or ')}` };
  }
  return { path: formatPath(issue.path), message: issue.message };
}

const DURATION_FIELDS = {
  keys: ['rotationInterval', 'propagationTime', 'retentionTime', 'refreshInterval'],
  authentication: ['cookieLifetime', 'rememberMeLifetime', 'lockoutDuration', 'lockoutMaxDuration', 'interactionLifetime', 'pendingInteractionLifetime'],
  store: ['purgeInterval'],
} as const;

/**
 * Completes the parsed data: string-duration defaults become seconds (zod 4's
 * `.default()` returns a default as is, without the transform) and standard
 * identity resource names become their definitions.
 */
function complete(data: Config): Config {
  const config: Config = { ...data, identityResources: data.identityResources.map(resolveIdentityResource) };
  for (const [section, fields] of Object.entries(DURATION_FIELDS) as [keyof typeof DURATION_FIELDS, readonly string[]][]) {
    const copy: Record<string, unknown> = { ...config[section] };
    for (const f of fields) if (typeof copy[f] === 'string') copy[f] = duration.parse(copy[f]);
    (config as Record<string, unknown>)[section] = copy;
  }
  return config;
}
