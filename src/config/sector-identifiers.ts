/**
 * OIDC Core §8.1: a client's sector identifier URI is fetched and must be a
 * JSON array that contains every redirect URI of the client. Checked when the
 * provider starts (and by `gatehouse check`); a problem stops the start with
 * the client's path and why, like any configuration error.
 *
 * The URIs are the operator's (configuration), so the trusted address policy
 * applies, with https required by §8.1 and the `outbound` time and size limits.
 */
import { createOutboundFetch, OutboundError, trustedPolicy, type OutboundPolicy } from '../net/index.js';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import type { Config } from './schema.js';

/**
 * The problems of every client's sector identifier URI (fetched in parallel); empty when all are right.
 *
 * @example
 * const issues = await sectorIdentifierIssues(config);
 */
export async function sectorIdentifierIssues(config: Pick<Config, 'clients' | 'outbound'>, policy?: OutboundPolicy): Promise<ConfigIssue[]> {
  const fetchOut = createOutboundFetch(policy ?? { ...trustedPolicy(config.outbound), allowHttp: false });
  const checks = config.clients.map(async (client, i): Promise<ConfigIssue | undefined> => {
    const uri = client.sectorIdentifierUri;
    if (uri === undefined) return undefined;
    const path = formatPath(['clients', i, 'sectorIdentifierUri']);
    let listed: unknown;
    try {
      listed = await fetchOut.json(uri);
    } catch (e) {
      const why = e instanceof OutboundError ? `${e.reason}: ${e.message}` : e instanceof Error ? e.message : String(e);
      return { path, message: `the sector identifier URI could not be fetched (${why})` };
    }
    if (!Array.isArray(listed) || !listed.every((u) => typeof u === 'string'))
      return { path, message: 'the sector identifier URI must answer a JSON array of redirect URIs (OIDC Core §8.1)' };
    const missing = client.redirectUris.filter((r) => !listed.includes(r));
    if (missing.length) return { path, message: `the sector identifier URI does not list the redirect URI(s) ${missing.join(', ')} (OIDC Core §8.1)` };
    return undefined;
  });
  return (await Promise.all(checks)).filter((x): x is ConfigIssue => x !== undefined);
}

/** Throws a {@link ConfigError} naming every client whose sector identifier URI is wrong or unreachable. */
export async function checkSectorIdentifiers(config: Pick<Config, 'clients' | 'outbound'>, source?: string, policy?: OutboundPolicy): Promise<void> {
  const issues = await sectorIdentifierIssues(config, policy);
  if (issues.length) throw new ConfigError(issues, source);
}
