/**
 * Introspection callers (RFC 7662 §2.1): an API resource with one of its
 * apiSecrets (Basic or form post, as IdentityServer's API secrets), or a
 * client authenticating as at the token endpoint.
 */
import type { AuthEndpoint, ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single } from '../core/params.js';
import type { InternalRequest } from '../core/types.js';
import type { ApiResource, Client } from '../model/types.js';
import { authenticateClient } from './authenticate-client.js';
import { assertionPresented } from './client-assertion.js';
import { clientAuthFailed } from './client-auth-failure.js';
import { parseBasicCredentials } from './client-secret-basic.js';
import { matchesSecret } from './secrets.js';

export type IntrospectionCaller = { kind: 'resource'; resource: ApiResource } | { kind: 'client'; client: Client };

function presentedSecret(req: InternalRequest): { id: string; secret: string } | undefined {
  const basic = parseBasicCredentials(req.headers.authorization);
  const postId = single(req.body, 'client_id', 200);
  const postSecret = single(req.body, 'client_secret', 4096);
  if (basic && (postSecret || (postId && postId !== basic.clientId))) {
    throw new InvalidRequest('multiple client authentication methods');
  }
  // RFC 6749 §2.3: "MUST NOT use more than one authentication method in each
  // request"; a secret beside a client assertion is two, whoever the caller is.
  if ((basic || postSecret) && assertionPresented(req)) {
    throw new InvalidRequest('multiple client authentication methods', 'secret and client_assertion');
  }
  if (basic) return { id: basic.clientId, secret: basic.secret };
  if (postId && postSecret) return { id: postId, secret: postSecret };
  return undefined;
}

export async function authenticateResourceOrClient(req: InternalRequest, ctx: ProviderContext, endpoint: AuthEndpoint): Promise<IntrospectionCaller> {
  const creds = presentedSecret(req);
  const resource = creds ? ctx.resources.apiResources.get(creds.id) : undefined;
  if (creds && resource && resource.apiSecrets.length) {
    if (!resource.enabled || !matchesSecret(resource.apiSecrets, creds.secret, ctx.clock.now())) {
      throw clientAuthFailed(`api resource ${resource.name}: secret mismatch or disabled`);
    }
    return { kind: 'resource', resource };
  }
  const { client, method } = await authenticateClient(req, ctx, endpoint);
  // RFC 7662 §2.1 requires authorization of the caller: a public client proves nothing.
  if (method === 'none') throw clientAuthFailed(`public client ${client.clientId} cannot introspect`);
  return { kind: 'client', client };
}
