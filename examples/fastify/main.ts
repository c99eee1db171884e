/** `npm run build && npx vite-node examples/fastify/main.ts`: Gatehouse + a protected API on http://127.0.0.1:3001. */
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3001);
const { app } = await createApp(`http://127.0.0.1:${port}`);
await app.listen({ port, host: '127.0.0.1' });
console.log(`Issuer and API on http://127.0.0.1:${port} (GET /api/hello needs scope api); sign in as alice/alice`);
