/**
 * Browser tests: headless Chromium from the system (/usr/bin/chromium),
 * driven by playwright-core. Never downloads a browser. Test files check for
 * it first with `requirePrograms(['chromium'])` (test/helpers/requirements.ts),
 * which skips them with one printed line when it is absent.
 */
import http from 'node:http';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumPath, programUnavailable } from './requirements.js';

/** The system Chromium (Debian package); override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = chromiumPath();

/** Flags for a quiet, sandbox-less headless Chromium in a container (no network calls of its own). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium. One browser per test file; close it in afterAll.
 * `extraArgs` adds command-line switches (e.g. trusting a test certificate).
 *
 * @example
 * const browser = await launchBrowser();
 * const context = await newContext(browser);
 * const page = await context.newPage();
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const missing = programUnavailable('chromium');
  if (missing)
    throw new Error(`Chromium unavailable: ${missing} (apt-get install chromium, or set CHROMIUM_PATH); check with requirePrograms(['chromium']) first`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/** A fresh context (own cookies) with a small viewport and short timeouts. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  return context;
}

/**
 * Listens on a fixed port (all interfaces). Needed where a registered
 * redirect URI fixes the port. Several test files (and other checkouts on the
 * machine) need the same port, so a busy port is retried until `waitMs`
 * passes; then it fails with a clear message.
 *
 * @example
 * const server = await listenOnFixedPort(app, 3000, 'the Auth.js app (redirect URIs of interactive.confidential)');
 */
export async function listenOnFixedPort(handler: http.RequestListener, port: number, purpose: string, waitMs = 40_000): Promise<http.Server> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const server = http.createServer(handler);
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, () => resolve(undefined));
    });
    if (!error) return server;
    if (error.code !== 'EADDRINUSE') throw error;
    if (Date.now() > deadline) throw new Error(`Port ${port} is already in use; it is required for ${purpose}. Stop whatever listens on ${port} and rerun.`);
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
  }
}

/** Closes a node:http server, dropping keep-alive connections. */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}
