/** `npm run build && npx vite-node examples/koa/main.ts`: Gatehouse + a protected API on http://127.0.0.1:3002. */
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3002);
const { app } = await createApp(`http://127.0.0.1:${port}`);
app.listen(port, '127.0.0.1');
console.log(`Issuer and API on http://127.0.0.1:${port} (GET /api/hello needs scope api); sign in as alice/alice`);
