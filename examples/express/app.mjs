/**
 * An Express app that keeps its own users (SQLite) and mounts Gatehouse as a
 * library: Gatehouse serves the OpenID Connect endpoints and its login pages,
 * looks users up in the host's table (UserStore) and adds a `department`
 * claim from it (ProfileService); the host's `/api/*` routes accept
 * Gatehouse's access tokens (gatehouse/resource-server).
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { createGatehouse, defaultProfileService, hashSecret } from 'gatehouse';
import { createResourceServer } from 'gatehouse/resource-server';
import { departmentOf, openUsersDb, sqliteUserStore } from './users-db.mjs';

/**
 * @param {{ port: number, usersDb?: string, redirectUri?: string, logger?: import('pino').Logger }} options
 */
export async function createApp({ port, usersDb, redirectUri = 'http://localhost:3000/callback', logger }) {
  const db = await openUsersDb(usersDb);
  const issuer = `http://localhost:${port}`;

  /**
   * The department claim from the host's table: in the ID token and at userinfo
   * with the profile scope; in access tokens when their API asks for it (the
   * `api` resource lists `department` in its userClaims, so it is among the
   * requested claim types, as IdentityServer's profile service sees it).
   */
  const profileService = {
    getProfileData(request) {
      const claims = defaultProfileService.getProfileData(request);
      const wanted = request.caller === 'access_token' ? request.requestedClaimTypes.has('department') : request.scopes.includes('profile');
      if (wanted) claims.department = departmentOf(db, request.subject);
      return claims;
    },
    isActive: (request) => defaultProfileService.isActive(request),
  };

  const gatehouse = await createGatehouse(
    {
      server: { issuer, port },
      store: { type: 'memory' },
      // A throwaway key-encryption key: signing keys live in memory with the rest of this example's state.
      keys: { keyEncryptionKey: randomBytes(32).toString('base64') },
      identityResources: ['openid', 'profile', 'email', 'offline_access'],
      apiScopes: [
        { name: 'api', displayName: 'Example API' },
        { name: 'api.admin', displayName: 'Example API administration' },
      ],
      apiResources: [{ name: 'api', scopes: ['api', 'api.admin'], userClaims: ['department'] }],
      clients: [
        {
          clientId: 'express.web',
          clientName: 'Express example client',
          clientSecrets: [{ value: hashSecret('express-secret') }],
          allowedGrantTypes: ['authorization_code', 'refresh_token'],
          allowOfflineAccess: true,
          alwaysIncludeUserClaimsInIdToken: true,
          allowedScopes: ['openid', 'profile', 'email', 'api', 'api.admin', 'offline_access'],
          redirectUris: [redirectUri],
        },
      ],
    },
    { userStore: sqliteUserStore(db), profileService, logger },
  );

  const app = express();
  app.get('/', (_req, res) => {
    res.json({ app: 'express example', issuer, discovery: `${issuer}/.well-known/openid-configuration` });
  });

  // The host's API: access tokens for the `api` resource, checked against Gatehouse's JWKS.
  const rs = createResourceServer({ issuer, audience: 'api' });
  app.get('/api/me', rs.node({ scopes: ['api'] }), (req, res) => {
    res.json({ subject: req.auth.subject, department: req.auth.claims.department ?? null, scopes: req.auth.scopes });
  });
  app.get('/api/admin', rs.node({ scopes: ['api.admin'] }), (req, res) => {
    res.json({ message: `admin area, ${req.auth.subject}` });
  });

  // Gatehouse answers its own paths and calls next() for the rest.
  app.use(gatehouse.handler);
  app.use((_req, res) => res.status(404).json({ error: 'not found' }));

  return {
    app,
    gatehouse,
    async close() {
      await gatehouse.close();
      db.close();
    },
  };
}
