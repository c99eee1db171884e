/**
 * Checks that span several values (duplicates, references between sections,
 * grant/client combinations). They read the raw input defensively, so they
 * run even when the schema found errors and everything is reported at once.
 */
import type { ConfigIssue } from './config-error.js';
import { formatPath } from './config-error.js';
import { flag, isRecord, records, strings, text } from './loose-input.js';
import { clientClaimName, RESERVED_CLAIMS } from './reserved-claims.js';
import { checkResponseCrypto } from './response-crypto-checks.js';
import { STANDARD_IDENTITY_RESOURCE_NAMES } from './standard-resources.js';
import { checkCibaClient } from './ciba-checks.js';
import { checkAccount } from './account-checks.js';
import { checkMtlsClient, checkMtlsSettings } from './mtls-checks.js';
import { checkPairwiseClients } from './pairwise-checks.js';

/** Grant types Gatehouse implements; others need `extraGrantTypes` (registered handlers). */
export const KNOWN_GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
  'implicit',
  /** Not an RFC grant type: IdentityServer's name for the OIDC Core §3.3 response types (code id_token, ...). */
  'hybrid',
  'password',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

/** Every cross-field problem in `input` (a raw configuration in the native model). */
export function crossCheck(input: Record<string, unknown>, extraGrantTypes: readonly string[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });

  const identityNames = new Set<string>();
  const identityEntries: unknown[] = Array.isArray(input.identityResources) ? input.identityResources : [];
  identityEntries.forEach((raw, i) => {
    const name = typeof raw === 'string' ? raw : isRecord(raw) ? text(raw.name) : undefined;
    if (typeof raw === 'string' && !STANDARD_IDENTITY_RESOURCE_NAMES.includes(raw)) {
      add(['identityResources', i], `unknown standard identity resource "${raw}"; standard names are ${STANDARD_IDENTITY_RESOURCE_NAMES.join(', ')}`);
    }
    if (name === undefined) return;
    if (identityNames.has(name)) add(['identityResources', i], `duplicate identity resource "${name}"`);
    identityNames.add(name);
  });

  const apiScopeNames = new Set<string>();
  records(input.apiScopes).forEach((s, i) => {
    const name = text(s.name);
    if (name === undefined) return;
    if (apiScopeNames.has(name)) add(['apiScopes', i, 'name'], `duplicate API scope "${name}"`);
    else if (identityNames.has(name)) add(['apiScopes', i, 'name'], `"${name}" is also an identity resource; scope names must be unique`);
    apiScopeNames.add(name);
  });

  const apiResourceNames = new Set<string>();
  records(input.apiResources).forEach((r, i) => {
    const name = text(r.name);
    if (name !== undefined && apiResourceNames.has(name)) add(['apiResources', i, 'name'], `duplicate API resource "${name}"`);
    if (name !== undefined) apiResourceNames.add(name);
    strings(r.scopes).forEach((scope, j) => {
      if (scope !== undefined && !apiScopeNames.has(scope)) add(['apiResources', i, 'scopes', j], `API scope "${scope}" is not defined in apiScopes`);
    });
  });

  const grantTypes = new Set([...KNOWN_GRANT_TYPES, ...extraGrantTypes]);
  const dpopOff = isRecord(input.dpop) && input.dpop.enabled === false;
  const clientIds = new Map<string, number>();
  records(input.clients).forEach((c, i) => {
    const id = text(c.clientId);
    if (id !== undefined) {
      const first = clientIds.get(id);
      if (first !== undefined) add(['clients', i, 'clientId'], `duplicate clientId "${id}" (also clients[${first}])`);
      else clientIds.set(id, i);
    }
    const grants = strings(c.allowedGrantTypes);
    const confidential = flag(c.requireClientSecret, true);
    grants.forEach((g, j) => {
      if (g === undefined) return;
      if (!grantTypes.has(g)) add(['clients', i, 'allowedGrantTypes', j], `unknown grant type "${g}"; known: ${[...grantTypes].join(', ')}`);
      // RFC 6749 §4.4: the client credentials grant is for confidential clients only.
      if (g === 'client_credentials' && !confidential) {
        add(['clients', i, 'allowedGrantTypes', j], 'client_credentials needs a confidential client (requireClientSecret is false)');
      }
      // RFC 8693 §2.1 and §5: the exchanging client authenticates (token exchange is for confidential clients here).
      if (g === 'urn:ietf:params:oauth:grant-type:token-exchange' && !confidential) {
        add(['clients', i, 'allowedGrantTypes', j], 'token exchange needs a confidential client (requireClientSecret is false)');
      }
    });
    if (['authorization_code', 'implicit', 'hybrid'].some((g) => grants.includes(g)) && strings(c.redirectUris).length === 0) {
      add(['clients', i, 'redirectUris'], 'at least one redirect URI is required for the authorization_code, implicit and hybrid grants');
    }
    strings(c.allowedScopes).forEach((scope, j) => {
      if (scope !== undefined && !identityNames.has(scope) && !apiScopeNames.has(scope)) {
        add(['clients', i, 'allowedScopes', j], `scope "${scope}" is not defined in identityResources or apiScopes`);
      }
    });
    checkCibaClient(c, confidential, ['clients', i], add);
    checkMtlsClient(input, c, ['clients', i], add);
    checkAuthMethods(c, ['clients', i], add);
    checkClientClaims(c, ['clients', i], add);
    // RFC 9449: a client that requires DPoP could get no token at all with DPoP switched off.
    if (dpopOff && (flag(c.requireDpop, false) || flag(c.requireDpopNonce, false))) {
      add(['clients', i, flag(c.requireDpop, false) ? 'requireDpop' : 'requireDpopNonce'], 'needs DPoP, which is switched off (dpop.enabled is false)');
    }
  });
  checkPairwiseClients(input, add);

  const subjects = new Map<string, number>();
  const usernames = new Map<string, number>();
  records(input.users).forEach((u, i) => {
    const sub = text(u.subjectId);
    const name = text(u.username)?.toLowerCase();
    if (sub !== undefined && subjects.has(sub)) add(['users', i, 'subjectId'], `duplicate subjectId "${sub}" (also users[${subjects.get(sub)}])`);
    else if (sub !== undefined) subjects.set(sub, i);
    if (name !== undefined && usernames.has(name))
      add(['users', i, 'username'], `duplicate username "${String(u.username)}" (also users[${usernames.get(name)}]; compared ignoring case)`);
    else if (name !== undefined) usernames.set(name, i);
  });
  checkResponseCrypto(input, add);
  checkAccount(input, add);
  checkMtlsSettings(input, add);
  return issues;
}

/**
 * Explicit tokenEndpointAuthMethods must have the credentials they need, and
 * `none` belongs to public clients only: on a client with secrets or keys (or
 * requireClientSecret) it would let anyone who knows the client id act as
 * that confidential client, e.g. get client_credentials tokens (RFC 6749 §2.1, §4.4).
 */
function checkAuthMethods(c: Record<string, unknown>, at: PropertyKey[], add: (path: PropertyKey[], message: string) => void): void {
  const secrets = records(c.clientSecrets);
  const hasKeys = c.jwks !== undefined || c.jwksUri !== undefined;
  strings(c.tokenEndpointAuthMethods).forEach((m, j) => {
    const path = [...at, 'tokenEndpointAuthMethods', j];
    if (m === 'none') {
      const credentials = [secrets.length > 0 && 'clientSecrets', c.jwks !== undefined && 'jwks', c.jwksUri !== undefined && 'jwksUri'].filter(Boolean);
      if (credentials.length)
        add(
          path,
          `none lets the client authenticate without credentials, but it has ${credentials.join(' and ')} (a confidential client); remove none, or the credentials and set requireClientSecret to false`,
        );
      else if (flag(c.requireClientSecret, true)) add(path, 'none is for public clients; set requireClientSecret to false (or remove none)');
    }
    if ((m === 'client_secret_basic' || m === 'client_secret_post') && secrets.length === 0) add(path, `${m} needs clientSecrets`);
    if (m === 'client_secret_jwt' && !secrets.some((s) => s.type === 'SymmetricKey'))
      add(path, 'client_secret_jwt needs a SymmetricKey secret (RFC 7523 §2.2)');
    if (m === 'private_key_jwt' && !hasKeys) add(path, 'private_key_jwt needs jwks or jwksUri');
  });
}

/** Client claims must not take the name of a protocol claim (sub, aud, client_id, ...) once prefixed. */
function checkClientClaims(c: Record<string, unknown>, at: PropertyKey[], add: (path: PropertyKey[], message: string) => void): void {
  const prefix = text(c.clientClaimsPrefix) ?? 'client_';
  records(c.claims).forEach((claim, j) => {
    const type = text(claim.type);
    if (type === undefined) return;
    const name = clientClaimName(prefix, type);
    if (RESERVED_CLAIMS.has(name)) {
      add(
        [...at, 'claims', j, 'type'],
        `"${name}" is a protocol claim of the token and cannot be set by client claims (reserved: ${[...RESERVED_CLAIMS].join(', ')})`,
      );
    }
  });
}
