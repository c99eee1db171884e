/**
 * Configuration checks of pairwise subject identifiers (OIDC Core §8.1) that
 * need no network: the salt is set, a sector identifier URI is https, and a
 * client whose redirect URIs have several hosts names one. The URI's content
 * is fetched and checked at start (tokens/sector-identifier.ts).
 */
import { isRecord, records, strings, text } from './loose-input.js';

type Add = (path: PropertyKey[], message: string) => void;

/** The hosts of a client's redirect URIs (unparsable ones are the schema's problem). */
export function redirectHosts(redirectUris: readonly (string | undefined)[]): Set<string> {
  const hosts = new Set<string>();
  for (const uri of redirectUris) {
    if (uri === undefined) continue;
    try {
      hosts.add(new URL(uri).host);
    } catch {
      // reported by the schema
    }
  }
  return hosts;
}

export function checkPairwiseClients(input: Record<string, unknown>, add: Add): void {
  const salt = isRecord(input.subjects) ? text(input.subjects.pairwiseSalt) : undefined;
  records(input.clients).forEach((c, i) => {
    const uri = text(c.sectorIdentifierUri);
    // OIDC Core §8.1: "The value of the sector_identifier_uri MUST be a URL using the https scheme".
    if (uri !== undefined && !uri.startsWith('https://')) add(['clients', i, 'sectorIdentifierUri'], 'must be an https URL (OIDC Core §8.1)');
    if (text(c.subjectType) !== 'pairwise') return;
    if (salt === undefined) add(['clients', i, 'subjectType'], 'pairwise subject identifiers need subjects.pairwiseSalt (a secret of at least 16 characters)');
    // §8.1: "If there are multiple hostnames in the registered redirect_uris, the Client MUST register a sector_identifier_uri."
    const hosts = redirectHosts(strings(c.redirectUris));
    if (uri === undefined && hosts.size > 1)
      add(
        ['clients', i, 'sectorIdentifierUri'],
        `a pairwise client whose redirect URIs have several hosts (${[...hosts].join(', ')}) needs a sectorIdentifierUri (OIDC Core §8.1)`,
      );
  });
}
