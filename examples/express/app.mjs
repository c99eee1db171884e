/**
 * An Express app that keeps its own users (SQLite) and mounts Gatehouse as a
 * library: Gatehouse serves the OpenID Connect endpoints and its login pages,
 * looks users up in the host's table (UserStore) and adds a `department`
 * claim from it (ProfileService).
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { createGatehouse, defaultProfileService, hashSecret } from 'gatehouse';
import { departmentOf, openUsersDb, sqliteUserStore } from './users-db.mjs';

/**
 * @param {{ port: number, usersDb?: string, redirectUri?: string, logger?: import('pino').Logger }} options
 */
export async function createApp({ port, usersDb, redirectUri = 'http://localhost:3000/callback', logger }) {
  const db = await openUsersDb(usersDb);
  const issuer = `http://localhost:${port}`;

  /** The department claim from the host's table, for tokens and userinfo that release the profile scope. */
  const profileService = {
    getProfileData(request) {
      const claims = defaultProfileService.getProfileData(request);
      if (request.caller !== 'access_token' && request.scopes.includes('profile')) claims.department = departmentOf(db, request.subject);
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
      apiScopes: [{ name: 'api', displayName: 'Example API' }],
      apiResources: [{ name: 'api', scopes: ['api'] }],
      clients: [
        {
          clientId: 'express.web',
          clientName: 'Express example client',
          clientSecrets: [{ value: hashSecret('express-secret') }],
          allowedGrantTypes: ['authorization_code', 'refresh_token'],
          allowOfflineAccess: true,
          alwaysIncludeUserClaimsInIdToken: true,
          allowedScopes: ['openid', 'profile', 'email', 'api', 'offline_access'],
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

  // ---- Protected API: to be added with gatehouse/resource-server (issue 13 §3) ----
  // app.get('/api/me', requireAccessToken({ issuer, audience: 'api', scopes: ['api'] }), (req, res) => res.json(req.auth));
  // ---------------------------------------------------------------------------------

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
