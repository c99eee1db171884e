/**
 * oidc-provider (panva) on node:http, configured as close as it allows to
 * Gatehouse's demo clients (config/demo.json), for the side-by-side benchmark
 * (`BENCH_SERVER=oidc-provider npm run bench`, `node bench/compare/run.mjs`).
 *
 * - `interactive.confidential`: client_secret_basic (secret `secret`), redirect
 *   http://localhost:3000/callback, PKCE S256 required, scopes
 *   `openid profile email api offline_access`, refresh tokens rotated on every
 *   use (a reused one revokes the grant), no consent screen (oidc-provider's
 *   documented skip-consent recipe: `loadExistingGrant` grants what a
 *   first-party client asks for).
 * - `m2m`: client_credentials, client_secret_basic, scope `api`.
 * - Access tokens for the `api` resource server are RS256 JWTs (resource
 *   indicators; the resource is the default when `api` is requested, and the
 *   token endpoint uses the granted one). A request without `api` gets
 *   oidc-provider's opaque access token, the only kind its userinfo endpoint
 *   accepts (it rejects tokens with an audience).
 * - One RS256 2048-bit key generated at start; ID tokens RS256 with the user's
 *   claims (conformIdTokenClaims off, like Gatehouse's
 *   alwaysIncludeUserClaimsInIdToken).
 * - Users alice / bob (password = username, compared in constant time) with
 *   the demo claims; subjects "1" and "2".
 * - Its default in-memory adapter. devInteractions is off (it accepts any
 *   login without a password); the login page below uses the interaction API.
 *
 * Environment: PORT (default 0 = any), ISSUER (default http://127.0.0.1:PORT).
 * Run with NODE_ENV=production (the harness does).
 *
 * @example
 * PORT=5300 NODE_ENV=production node bench/compare/oidc-provider-server.mjs
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const API = 'urn:gatehouse:api';
const REDIRECTS = [
  'http://localhost:3000/api/auth/callback/identity-server4',
  'http://localhost:3000/api/auth/callback/duende-identity-server6',
  'http://localhost:3000/auth/callback/identity-server4',
  'http://localhost:3000/auth/callback/duende-identity-server6',
  'http://localhost:3000/callback',
];

const USERS = [
  {
    sub: '1',
    username: 'alice',
    claims: {
      name: 'Alice Smith',
      given_name: 'Alice',
      family_name: 'Smith',
      email: 'AliceSmith@example.com',
      email_verified: true,
      website: 'http://alice.example.com',
    },
  },
  {
    sub: '2',
    username: 'bob',
    claims: {
      name: 'Bob Smith',
      given_name: 'Bob',
      family_name: 'Smith',
      email: 'BobSmith@example.com',
      email_verified: true,
      website: 'http://bob.example.com',
    },
  },
];
const digest = (s) => createHash('sha256').update(String(s)).digest();
const byUsername = new Map(USERS.map((u) => [u.username, { ...u, passwordDigest: digest(u.username) }]));
const bySub = new Map(USERS.map((u) => [u.sub, u]));

/** The user whose password matches, in constant time over the digests; undefined otherwise. */
function checkPassword(username, password) {
  const user = byUsername.get(username);
  const ok = timingSafeEqual(digest(password), user?.passwordDigest ?? digest(randomBytes(16)));
  return user && ok ? user : undefined;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('base64url'), alg: 'RS256', use: 'sig' };

const port = Number(process.env.PORT ?? 0);
const listening = new Promise((resolve) => {
  const server = http.createServer();
  server.listen(port, '127.0.0.1', () => resolve(server));
});
const server = await listening;
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${server.address().port}`;

const configuration = {
  clients: [
    {
      client_id: 'interactive.confidential',
      client_secret: 'secret',
      client_name: 'Interactive client (confidential)',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: REDIRECTS,
      post_logout_redirect_uris: ['http://localhost:3000/'],
      // Client `scope` may list only the provider's own scopes; `api` comes from the resource server.
      scope: 'openid profile email offline_access',
    },
    {
      client_id: 'm2m',
      client_secret: 'secret',
      client_name: 'Machine to machine client',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access'], // `api` belongs to the api resource server
  claims: {
    openid: ['sub'],
    profile: [
      'name',
      'family_name',
      'given_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'updated_at',
    ],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  rotateRefreshToken: true,
  // oidc-provider drops `offline_access` from an authorization request without
  // prompt=consent (OpenID Connect Core 11), and its default issueRefreshToken
  // needs that scope. Gatehouse issues refresh tokens to a client allowed the
  // grant (allowOfflineAccess) without a consent prompt, so this does the same.
  issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Refresh tokens outlive the browser session (Gatehouse: coordinateLifetimeWithUserSession false).
  expiresWithSession: () => false,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // `api` asked for without a resource parameter means the api resource server;
      // during a refresh, the (single) granted one.
      defaultResource: (ctx, client, oneOf) => {
        if (oneOf) return oneOf[0];
        return String(ctx.oidc.params.scope ?? '')
          .split(' ')
          .includes('api')
          ? API
          : undefined;
      },
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== API) throw new Provider.errors.InvalidTarget();
        return { scope: 'api', audience: 'api', accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // Gatehouse's defaults (src/config/schema.ts) where both have the setting.
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    AuthorizationCode: 300,
    IdToken: 300,
    Interaction: 3600,
    Session: 36000,
    Grant: 2592000,
    RefreshToken: 1296000,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The skip-consent recipe: a first-party client gets what it asked for.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (ctx.oidc.client.clientId !== 'interactive.confidential') return undefined;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email offline_access');
    grant.addResourceScope(API, 'api');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const user = bySub.get(sub);
    if (!user) return undefined;
    return { accountId: sub, claims: () => ({ sub, ...user.claims }) };
  },
};

const provider = new Provider(issuer, configuration);
const oidc = provider.callback();

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function loginPage(uid, error) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main><h1>Sign in</h1>${
    error ? `<p role="alert">${escapeHtml(error)}</p>` : ''
  }<form method="post" action="/interaction/${escapeHtml(uid)}/login"><label>Username <input name="username" autocomplete="username" required></label><label>Password <input name="password" type="password" autocomplete="current-password" required></label><button type="submit">Sign in</button></form></main></body></html>`;
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > 8192) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/** The login interaction (GET page, POST credentials); everything else goes to oidc-provider. */
async function interaction(req, res, uid, action) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') return send(res, 400, 'text/plain', 'unexpected interaction');
    if (req.method === 'GET' && action === undefined) return send(res, 200, 'text/html; charset=utf-8', loginPage(uid));
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const user = checkPassword(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) return send(res, 200, 'text/html; charset=utf-8', loginPage(uid, 'Invalid username or password'));
      return await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    }
    return send(res, 405, 'text/plain', 'method not allowed');
  } catch (e) {
    // SessionNotFound and the like: no (or an expired) interaction cookie.
    return send(res, 400, 'text/plain', String(e?.error_description ?? e?.message ?? 'bad request'));
  }
}

const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(login))?$/;
server.on('request', (req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/interaction/')) {
    const m = INTERACTION.exec(url.split('?')[0]);
    if (m) return void interaction(req, res, m[1], m[2]);
  }
  oidc(req, res);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
process.stdout.write(`oidc-provider listening on ${issuer}\n`);
