#!/usr/bin/env node
/**
 * Screenshots of the built-in pages for the docs (docs/screenshots/*.png).
 *
 * Starts the demo provider (config/demo.json, memory store, free port) from
 * dist/ and drives the system's headless Chromium through:
 *   login.png   the login page of an authorization request of interactive.public
 *   consent.png the consent page after alice signs in (interactive.public requires consent)
 *   error.png   the error page for an unregistered redirect_uri
 *   home.png    the signed-in home page /ui/
 *
 * Usage: npm run build && node scripts/screenshots.mjs
 * Env: CHROMIUM_PATH (default /usr/bin/chromium), OUT_DIR (default docs/screenshots).
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { createGatehouse } from '../dist/provider.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.env.OUT_DIR ?? join(root, 'docs', 'screenshots');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the demo configuration on a free port; the issuer follows the port. */
async function startDemo() {
  const config = JSON.parse(await readFile(join(root, 'config', 'demo.json'), 'utf8'));
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address();
  const issuer = `http://localhost:${port}`;
  config.server = { ...config.server, issuer, port };
  config.store = { type: 'memory' };
  config.keys = { ...config.keys, keyEncryptionKey: randomBytes(32).toString('base64') };
  const gh = await createGatehouse(config, { logger: pino({ level: 'silent' }), timers: false });
  server.on('request', gh.handler);
  return {
    issuer,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gh.close();
    },
  };
}

/** An authorization request URL of the public demo client (PKCE S256). */
function authorizeUrl(issuer, redirectUri = 'http://localhost:3000/spa/callback') {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    client_id: 'interactive.public',
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile email api offline_access',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return `${issuer}/connect/authorize?${q}`;
}

async function main() {
  await mkdir(outDir, { recursive: true });
  const demo = await startDemo();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1, colorScheme: 'light' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = [];
    // Subresources (stylesheets, logos) must load; the error page's own 400 is expected.
    page.on('response', (r) => r.request().resourceType() !== 'document' && r.status() >= 400 && problems.push(`${r.url()}: HTTP ${r.status()}`));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
    // The consent page is taller than the viewport: capture it whole so its buttons show.
    const shot = async (name) => {
      const path = join(outDir, `${name}.png`);
      await page.screenshot({ path, fullPage: name === 'consent' });
      console.log(`wrote ${path}`);
    };

    await page.goto(authorizeUrl(demo.issuer));
    await page.waitForURL(/\/ui\/login\?/);
    await page.getByText('Interactive client (public)').first().waitFor();
    await shot('login');

    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice');
    await page.click('button[type=submit].gh-button-primary');
    await page.waitForURL(/\/ui\/consent\?/);
    await shot('consent');

    // Signed in now (session cookie): the home page shows alice.
    await page.goto(`${demo.issuer}/ui/`);
    await shot('home');

    const bad = await page.goto(authorizeUrl(demo.issuer, 'https://attacker.example/callback'));
    if (bad?.status() !== 400) problems.push(`error page answered ${bad?.status()}, expected 400`);
    await shot('error');

    if (problems.length) {
      console.error('problems while rendering:\n  ' + problems.join('\n  '));
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
    await demo.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
