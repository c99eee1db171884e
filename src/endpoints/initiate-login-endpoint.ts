/**
 * OpenID Connect Core 1.0 §4, "Initiating Login from a Third Party": the
 * login starts at Gatehouse (a link on its home page, a portal, an email)
 * rather than at the client. Gatehouse is the initiator here: it redirects the
 * browser to the client's registered login initiation endpoint
 * (`initiateLoginUri`, Registration 1.0 §2 `initiate_login_uri`) with
 * `iss`, and `login_hint` and `target_link_uri` when given; the client then
 * sends an ordinary authentication request. docs/third-party-login.md.
 *
 *   GET {issuer}/connect/initiate-login?client_id=...[&login_hint=...][&target_link_uri=...]
 */
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import { raiseParameterProblem, type ParameterDeclaration } from '../core/parameters.js';
import { redirectResponse, type InternalRequest, type InternalResponse } from '../core/types.js';
import { InvalidRequest, UnauthorizedClient } from '../errors.js';
import type { Client } from '../model/types.js';

/** The path of the endpoint under the issuer. */
export const INITIATE_LOGIN_PATH = '/connect/initiate-login';

/** Read from the query; every parameter once (OIDC Core §4 sends them as query parameters). */
export const INITIATE_LOGIN_PARAMETERS: ParameterDeclaration = { from: 'query', rules: { client_id: { required: true } } };

const HINT_LIMIT = 256;
const URI_LIMIT = 2048;

/** The origin of a URI, or undefined when it is not an absolute http(s) URI. */
function originOf(uri: string): string | undefined {
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * OIDC Core §4: "RPs MUST verify the value of the target_link_uri to prevent
 * being used as an open redirector to external sites". Gatehouse checks too,
 * so its own link cannot point a client at a foreign site: the target must be
 * on the origin of the client's initiate_login_uri or of one of its redirect URIs.
 */
function checkTarget(client: Client, initiateLoginUri: string, target: string): void {
  const origin = originOf(target);
  const allowed = new Set([initiateLoginUri, ...client.redirectUris].map(originOf));
  if (origin === undefined || !allowed.has(origin)) throw new InvalidRequest('target_link_uri is not on an origin of this client');
}

/** The URL of the client's login initiation endpoint with the §4 parameters. */
export function initiateLoginUrl(ctx: ProviderContext, initiateLoginUri: string, loginHint?: string, targetLinkUri?: string): string {
  const url = new URL(initiateLoginUri);
  // OIDC Core §4: iss REQUIRED, the OP's issuer identifier.
  url.searchParams.set('iss', ctx.issuer);
  if (loginHint !== undefined) url.searchParams.set('login_hint', loginHint);
  if (targetLinkUri !== undefined) url.searchParams.set('target_link_uri', targetLinkUri);
  return url.toString();
}

/** Redirects to the client's login initiation endpoint; the error page for an unknown client or one without it. */
export async function initiateLoginEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const clientId = single(req.query, 'client_id', 200) ?? '';
  const client = ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
  if (!client) throw new InvalidRequest('unknown client');
  req.clientId = client.clientId;
  // Only a registered (configured) URI: never a redirect to one the request names.
  const initiateLoginUri = client.initiateLoginUri;
  if (!initiateLoginUri) throw new UnauthorizedClient('the client has no login initiation endpoint (initiateLoginUri)');
  const loginHint = single(req.query, 'login_hint', HINT_LIMIT);
  const target = single(req.query, 'target_link_uri', URI_LIMIT);
  if (target !== undefined) checkTarget(client, initiateLoginUri, target);
  return redirectResponse(initiateLoginUrl(ctx, initiateLoginUri, loginHint, target));
}
