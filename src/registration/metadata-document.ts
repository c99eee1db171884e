/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03):
 * a client_id that is an https URL names a JSON document of the client's
 * metadata. It is fetched through the outbound client (time and size limits,
 * no redirects, no private, loopback or link-local addresses unless the
 * demo's loopback exception is on), validated and cached (Cache-Control,
 * within bounds). Failures are remembered briefly so a bad URL is not
 * fetched on every request.
 */
import type { ClientIdMetadataDocumentsConfig } from '../config/registration-schema.js';
import { InvalidClient, OAuthError } from '../errors.js';
import type { ClientDefinition } from '../extensions/client-store.js';
import type { Clock } from '../model/types.js';
import { createOutboundFetch, OutboundError, readLimited, type OutboundFetch, type OutboundSettings, loopbackPolicy, strictPolicy } from '../net/index.js';
import { buildClient, type RegistrationRules } from './build-client.js';
import { parseClientMetadata } from './client-metadata.js';

/** A resolved document: the client and how long it may be used. */
export interface ResolvedDocument {
  definition: ClientDefinition;
  /** Seconds from now. */
  ttl: number;
}

/**
 * §3: an https URL with a path, without fragment, user information or dot
 * segments. Anything else is not a metadata document URL (undefined) or a
 * malformed one (the reason).
 */
export function clientIdUrlProblem(clientId: string): string | undefined {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must use the https scheme';
  if (clientId.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain user information';
  if (url.pathname === '/' || url.pathname === '') return 'must contain a path component';
  if (/(^|\/)\.\.?(\/|$)/.test(new URL(clientId).pathname) || /\/\.\.?(\/|\?|$)/.test(clientId.slice(url.origin.length))) {
    return 'must not contain dot segments';
  }
  // RFC 3986 §6.2.1 simple string comparison: the URL must be as written (no normalisation may change it).
  if (url.href !== clientId) return 'must be in normalised form';
  return undefined;
}

/** Seconds the response may be kept: max-age within [min, max]; no-store and no-cache keep it the minimum. */
function cacheSeconds(header: string | null, settings: ClientIdMetadataDocumentsConfig): number {
  const clamp = (n: number) => Math.min(settings.maxCacheTime, Math.max(settings.minCacheTime, n));
  if (!header) return clamp(settings.defaultCacheTime);
  const directives = header
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return settings.minCacheTime;
  const maxAge = directives.map((d) => /^max-age=(\d{1,10})$/.exec(d)).find(Boolean);
  return clamp(maxAge ? Number(maxAge[1]) : settings.defaultCacheTime);
}

const JSON_TYPE = /^application\/([a-z0-9.-]+\+)?json$/;

/** §4.1: a document may not hold or ask for a shared secret. */
const SECRET_FIELDS = ['client_secret', 'client_secret_expires_at'];

function refuse(clientId: string, why: string): InvalidClient {
  return new InvalidClient(`client metadata document ${clientId.slice(0, 200)}: ${why}`);
}

export interface MetadataDocumentResolver {
  /** The client of the document at `clientId`; throws invalid_client saying why when it cannot be used. */
  resolve(clientId: string): Promise<ResolvedDocument>;
}

/**
 * @example
 * const docs = metadataDocumentResolver(config.clientIdMetadataDocuments, config.outbound, rules, clock);
 * const { definition } = await docs.resolve('https://app.example/oauth/client.json');
 */
export function metadataDocumentResolver(
  settings: ClientIdMetadataDocumentsConfig,
  outbound: OutboundSettings,
  rules: () => RegistrationRules,
  clock: Clock,
  fetchOut: OutboundFetch = createOutboundFetch({
    ...(settings.allowLoopback ? loopbackPolicy(outbound) : strictPolicy(outbound)),
    timeoutMs: settings.timeout,
    maxBytes: settings.maxBytes,
  }),
): MetadataDocumentResolver {
  const failures = new Map<string, { error: OAuthError; until: number }>();
  const fetchDocument = async (clientId: string): Promise<ResolvedDocument> => {
    const problem = clientIdUrlProblem(clientId);
    if (problem) throw refuse(clientId, `the client_id URL ${problem}`);
    let res: Response;
    let body: Uint8Array;
    try {
      res = await fetchOut(clientId, { headers: { accept: 'application/json' } });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw refuse(clientId, `answered status ${res.status}`);
      }
      const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (!JSON_TYPE.test(type)) {
        await res.body?.cancel().catch(() => undefined);
        throw refuse(clientId, `content type ${JSON.stringify(type)} is not JSON`);
      }
      body = await readLimited(res, settings.maxBytes, AbortSignal.timeout(settings.timeout));
    } catch (err) {
      if (err instanceof OutboundError) throw refuse(clientId, `could not be fetched (${err.reason}): ${err.message}`);
      if (err instanceof OAuthError) throw err;
      throw refuse(clientId, 'could not be fetched');
    }
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw refuse(clientId, 'is not UTF-8 JSON');
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse(clientId, 'is not a JSON object');
    const fields = doc as Record<string, unknown>;
    // §4.1: "client_id property whose value MUST match the URL of the document using simple string comparison".
    if (fields.client_id !== clientId) throw refuse(clientId, 'its client_id does not equal its URL');
    for (const f of SECRET_FIELDS) if (f in fields) throw refuse(clientId, `must not contain ${f} (§4.1)`);
    const method = fields.token_endpoint_auth_method ?? 'none';
    if (typeof method === 'string' && method.startsWith('client_secret_'))
      throw refuse(clientId, `token_endpoint_auth_method ${method} needs a shared secret (§4.1)`);
    try {
      const metadata = parseClientMetadata({ ...fields, token_endpoint_auth_method: method });
      const { definition } = buildClient(clientId, metadata, rules(), false);
      // Security considerations of the draft: anyone can publish any client_name, so the pages show the
      // host the document came from beside it ("Name (app.example)").
      const host = new URL(clientId).host;
      definition.clientName = metadata.client_name ? `${metadata.client_name} (${host})` : host;
      return { definition, ttl: cacheSeconds(res.headers.get('cache-control'), settings) };
    } catch (err) {
      if (err instanceof OAuthError) throw refuse(clientId, err.description);
      throw err;
    }
  };
  return {
    async resolve(clientId) {
      const now = clock.now();
      const failed = failures.get(clientId);
      if (failed && failed.until > now) throw failed.error;
      try {
        const resolved = await fetchDocument(clientId);
        failures.delete(clientId);
        return resolved;
      } catch (err) {
        if (err instanceof OAuthError) {
          if (failures.size >= 1000) failures.delete(failures.keys().next().value as string);
          failures.set(clientId, { error: err, until: now + settings.failureCacheTime });
        }
        throw err;
      }
    },
  };
}
