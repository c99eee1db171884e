/**
 * Runs the Express example: `npm run build && node examples/express/server.mjs`
 * (PORT, default 3005; USERS_DB, default in memory; REDIRECT_URI of the client).
 * Sign in as ada@example.com / ada-password.
 */
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 3005);
const { app, close } = await createApp({ port, usersDb: process.env.USERS_DB, redirectUri: process.env.REDIRECT_URI });
const server = app.listen(port, '127.0.0.1', () => console.log(`Express example listening on http://localhost:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => void close().then(() => process.exit(0))));
}
