/**
 * Client authentication at the token, introspection and revocation
 * endpoints: find the one method the request presents, the client it
 * names, and verify (RFC 6749 §2.3 and §5.2, OIDC Core §9).
 */
import type { AuthEndpoint, ClientAuthMethod, ProviderContext } from '../context.js';
import { InvalidClient, InvalidRequest } from '../errors.js';
import { single } from '../core/params.js';
import type { InternalRequest } from '../core/types.js';
import type { Client } from '../model/types.js';
import { CLIENT_AUTH_CHALLENGE, clientAuthFailed } from './client-auth-failure.js';
import { CLIENT_ID_LIMIT } from './client-secret-post.js';

export interface AuthenticatedClient {
  client: Client;
  /** The token_endpoint_auth_method used. */
  method: string;
}

/**
 * Methods that only name the client with `client_id`: `none`, and the RFC 8705
 * certificate methods (a connection's certificate is no credential in the
 * request: it may be there for certificate-bound tokens of a public client,
 * §4). Which of them applies is the client's registration (see {@link pickWeak}).
 */
const WEAK_METHODS: ReadonlySet<string> = new Set(['tls_client_auth', 'self_signed_tls_client_auth', 'none']);

/** The one credential-bearing method presented; else the client_id-only methods presented, strongest first. */
function presentedMethods(req: InternalRequest, ctx: ProviderContext): ClientAuthMethod[] {
  const presented = [...ctx.clientAuthMethods.values()].filter((m) => m.presented(req));
  const withCredentials = presented.filter((m) => !WEAK_METHODS.has(m.name));
  // RFC 6749 §2.3: the client "MUST NOT use more than one authentication method in each request".
  if (withCredentials.length > 1) {
    throw new InvalidRequest('multiple client authentication methods', `presented: ${withCredentials.map((m) => m.name).join(', ')}`);
  }
  const methods = withCredentials.length ? withCredentials : presented;
  if (!methods.length) throw clientAuthFailed('no client credentials presented', 'client authentication required');
  return methods;
}

/** Among the client_id-only methods presented, the one the client is registered for (the certificate methods before `none`). */
function pickWeak(methods: ClientAuthMethod[], client: Client): ClientAuthMethod {
  if (methods.length === 1) return methods[0];
  return methods.find((m) => (client.authMethods as ReadonlySet<string>).has(m.name)) ?? methods[0];
}

async function identifyAndVerify(
  req: InternalRequest,
  ctx: ProviderContext,
  methods: ClientAuthMethod[],
  endpoint: AuthEndpoint,
): Promise<{ client: Client; method: ClientAuthMethod }> {
  const claimedId = methods[0].clientId(req);
  if (!claimedId) throw clientAuthFailed(`${methods[0].name}: no client id`, 'client authentication required');
  // A client_id parameter beside other credentials must name the same client.
  const bodyId = single(req.body, 'client_id', CLIENT_ID_LIMIT);
  if (bodyId !== undefined && bodyId !== claimedId) {
    throw clientAuthFailed(`client_id ${bodyId} differs from credentials for ${claimedId}`, 'client_id does not match the client credentials');
  }
  // A host's client store is asked through its cache; configured clients stay synchronous (extensions/client-store.ts).
  const client = ctx.clients.load ? await ctx.clients.load(claimedId) : ctx.clients.find(claimedId);
  // Unknown, disabled and not-allowed share the generic message so client ids cannot be probed.
  if (!client) throw clientAuthFailed(`unknown client ${claimedId}`);
  if (!client.enabled) throw clientAuthFailed(`client ${claimedId} is disabled`);
  const method = pickWeak(methods, client);
  if (!(client.authMethods as ReadonlySet<string>).has(method.name)) {
    throw clientAuthFailed(`client ${claimedId} may not use ${method.name}`);
  }
  await method.verify(req, client, ctx, endpoint);
  return { client, method };
}

/**
 * Authenticates the client of a token, introspection or revocation request.
 * Throws invalid_request for malformed or multiple credentials and
 * invalid_client (401, `WWW-Authenticate`) when authentication fails; the
 * public description stays generic and the reason is in `err.detail`.
 *
 * @example
 * const { client, method } = await authenticateClient(req, ctx, 'token');
 */
export async function authenticateClient(req: InternalRequest, ctx: ProviderContext, endpoint: AuthEndpoint): Promise<AuthenticatedClient> {
  let method: ClientAuthMethod | undefined;
  try {
    const methods = presentedMethods(req, ctx);
    method = methods[0];
    const found = await identifyAndVerify(req, ctx, methods, endpoint);
    method = found.method;
    const { client } = found;
    req.clientId = client.clientId;
    ctx.events({ type: 'client_authentication_success', clientId: client.clientId, detail: { method: method.name, endpoint } });
    return { client, method: method.name };
  } catch (err) {
    if (err instanceof InvalidClient) {
      // RFC 6749 §5.2: 401 with a challenge; set here too for errors thrown by extension methods.
      err.headers = { ...err.headers, 'www-authenticate': CLIENT_AUTH_CHALLENGE };
      ctx.events({
        type: 'client_authentication_failure',
        clientId: claimedClientId(req, method),
        endpoint,
        reason: err.detail ?? err.description,
        detail: { method: method?.name },
      });
    }
    throw err;
  }
}

/** The client_id the request claims (for failure events; bounded, never verified). */
function claimedClientId(req: InternalRequest, method: ClientAuthMethod | undefined): string | undefined {
  try {
    return method?.clientId(req)?.slice(0, 200);
  } catch {
    return undefined;
  }
}
