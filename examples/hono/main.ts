/** `npm run build && npx vite-node examples/hono/main.ts`: Gatehouse + a protected API on http://127.0.0.1:3003. */
import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3003);
const { app } = await createApp(`http://127.0.0.1:${port}`);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
console.log(`Issuer and API on http://127.0.0.1:${port} (GET /api/hello needs scope api); sign in as alice/alice`);
