/**
 * client_secret_basic: the client id and secret in the HTTP Basic
 * Authorization header (RFC 6749 §2.3.1, OIDC Core §9).
 */
import type { ClientAuthMethod } from '../context.js';
import { InvalidRequest } from '../errors.js';
import type { InternalRequest } from '../core/types.js';
import { verifyClientSecret } from './verify-client-secret.js';

export interface BasicCredentials {
  clientId: string;
  secret: string;
}

const BASIC_SCHEME = /^basic(?:\s|$)/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const CLIENT_ID_LIMIT = 200;
const SECRET_LIMIT = 4096;

/** application/x-www-form-urlencoded decoding (RFC 6749 Appendix B): `+` is a space. */
function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw malformed('credentials are not correctly form-urlencoded');
  }
}

/**
 * Syntactically broken credentials are a malformed request (RFC 6749 §5.2
 * invalid_request: "...or is otherwise malformed"); credentials that parse
 * but do not verify are invalid_client.
 */
function malformed(detail: string): InvalidRequest {
  return new InvalidRequest('malformed HTTP Basic client credentials', detail);
}

/**
 * Parses `Authorization: Basic base64(urlencode(client_id) ":" urlencode(secret))`.
 * Returns undefined when the header is absent or uses another scheme; throws
 * invalid_request when a Basic header is malformed.
 *
 * @example
 * parseBasicCredentials('Basic ' + btoa('app:se%3Acr%25et%2B')); // { clientId: 'app', secret: 'se:cr%et+' }
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || !BASIC_SCHEME.test(header)) return undefined;
  const token = header.slice(5).trim();
  if (!token) throw malformed('empty Basic credentials');
  if (!BASE64.test(token) || token.length % 4 === 1) throw malformed('Basic credentials are not base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformed('Basic credentials without a colon');
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId) throw malformed('empty client id in Basic credentials');
  if (clientId.length > CLIENT_ID_LIMIT || secret.length > SECRET_LIMIT) throw malformed('Basic credentials too long');
  return { clientId, secret };
}

/**
 * The client_secret_basic method.
 *
 * @example
 * methods.set(clientSecretBasic.name, clientSecretBasic);
 */
export const clientSecretBasic: ClientAuthMethod = {
  name: 'client_secret_basic',
  presented: (req: InternalRequest) => BASIC_SCHEME.test(req.headers.authorization ?? ''),
  clientId: (req: InternalRequest) => parseBasicCredentials(req.headers.authorization)?.clientId,
  async verify(req, client, ctx) {
    const credentials = parseBasicCredentials(req.headers.authorization);
    if (!credentials) throw malformed('no Basic credentials');
    verifyClientSecret(client, credentials.secret, ctx.clock.now());
  },
};
