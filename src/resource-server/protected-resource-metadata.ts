/**
 * RFC 9728 protected resource metadata: the document, its well-known path,
 * and node / fetch handlers that serve it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadataOptions {
  /** The resource identifier: an https (or loopback http) URL without fragment (RFC 9728 §1.2). */
  resource: string;
  /** Issuer identifiers of the authorization servers that issue tokens for it. */
  authorizationServers: readonly string[];
  scopesSupported?: readonly string[];
  /** Default `["header"]`: the only method the middleware reads. */
  bearerMethodsSupported?: readonly string[];
  resourceName?: string;
  resourceDocumentation?: string;
  /** RFC 8705 certificate-bound tokens are supported. */
  tlsClientCertificateBoundAccessTokens?: boolean;
  /** RFC 9449 DPoP-bound tokens are always required. */
  dpopBoundAccessTokensRequired?: boolean;
  dpopSigningAlgValuesSupported?: readonly string[];
  /** Further members, added as they are. */
  extra?: Record<string, unknown>;
  /** Serve at this path instead of the RFC 9728 §3.1 one (e.g. below a mount path). */
  path?: string;
}

export interface ProtectedResourceMetadata {
  document: Record<string, unknown>;
  /** The path the document is served at. */
  path: string;
  /** Its absolute URL: the `resource_metadata` value for challenges (RFC 9728 §5.1). */
  url: string;
  /** `(req, res, next)`: answers GET/HEAD on `path`, calls next() for other paths. */
  node: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
  /** The response for `request` when its path is `path`, else undefined. */
  fetch: (request: Request) => Response | undefined;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the path (a trailing slash of the path removed). */
export function protectedResourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}${WELL_KNOWN}${path}${u.search}`;
}

/**
 * Builds the metadata document of one protected resource and handlers that serve it.
 *
 * @example
 * const meta = protectedResourceMetadata({ resource: 'https://api.example.com/orders', authorizationServers: ['https://id.example.com'], scopesSupported: ['orders'] });
 * app.use(meta.node);   // GET /.well-known/oauth-protected-resource/orders
 * const rs = createResourceServer({ issuer: 'https://id.example.com', audience: 'orders', resourceMetadataUrl: meta.url });
 */
export function protectedResourceMetadata(o: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const resource = new URL(o.resource);
  if (resource.hash) throw new Error('protected resource metadata: resource must not have a fragment (RFC 9728 §1.2)');
  const document: Record<string, unknown> = {
    resource: o.resource,
    authorization_servers: [...o.authorizationServers],
    bearer_methods_supported: [...(o.bearerMethodsSupported ?? ['header'])],
  };
  if (o.scopesSupported) document.scopes_supported = [...o.scopesSupported];
  if (o.resourceName) document.resource_name = o.resourceName;
  if (o.resourceDocumentation) document.resource_documentation = o.resourceDocumentation;
  if (o.tlsClientCertificateBoundAccessTokens) document.tls_client_certificate_bound_access_tokens = true;
  if (o.dpopBoundAccessTokensRequired) document.dpop_bound_access_tokens_required = true;
  if (o.dpopSigningAlgValuesSupported) document.dpop_signing_alg_values_supported = [...o.dpopSigningAlgValuesSupported];
  Object.assign(document, o.extra);
  const url = o.path ? new URL(o.path, resource.origin).href : protectedResourceMetadataUrl(o.resource);
  const path = new URL(url).pathname;
  const body = JSON.stringify(document);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' };
  const pathOf = (raw: string) => {
    const q = raw.indexOf('?');
    return q === -1 ? raw : raw.slice(0, q);
  };
  return {
    document,
    path,
    url,
    node(req, res, next) {
      if (pathOf((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/') !== path) {
        if (next) {
          next();
          return;
        }
        res.writeHead(404).end();
        return;
      }
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      res.writeHead(200, headers);
      res.end(method === 'HEAD' ? undefined : body);
    },
    fetch(request) {
      if (new URL(request.url).pathname !== path) return undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers });
    },
  };
}
