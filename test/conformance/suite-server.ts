/**
 * The conformance suite's own endpoints for one test alias, re-expressed: a
 * real https server (the dev-cert's localhost certificate) that stands where
 * the suite serves `…/test/a/gatehouse/…`. It records every request the OP or
 * the browser makes to it (callback, post_logout_redirect,
 * frontchannel_logout, backchannel_logout) and serves the two pages of the
 * suite's session check: `session_verify` frames the OP's
 * check_session_iframe beside the suite's `rp_session_iframe`, which posts
 * "client_id session_state" to it and sends the top window to
 * `session_result?state=<answer>`.
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DevCert } from './https-op.js';

/** The path the suite gives the test plan's alias (`alias: gatehouse`). */
export const ALIAS_PATH = '/test/a/gatehouse';

export interface SuiteRequest {
  method: string;
  /** The path after the alias, e.g. `/backchannel_logout`. */
  path: string;
  query: URLSearchParams;
  /** The raw body (form-encoded for back-channel logout). */
  body: string;
  contentType?: string;
  /** The TLS version of the connection (`TLSv1.3`, ...). */
  tlsProtocol: string | null;
}

export interface SuiteServer {
  /** `https://localhost:<port>/test/a/gatehouse`: where config/conformance.json's suite URIs are pointed. */
  base: string;
  received: SuiteRequest[];
  /** Resolves with the first request to `path` after `since` requests (polls; rejects after `ms`). */
  next(path: string, since: number, ms?: number): Promise<SuiteRequest>;
  close(): Promise<void>;
}

const html = (title: string, body = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** session_verify: the OP's check_session_iframe and the suite's RP iframe, side by side (hidden). */
function sessionVerifyPage(q: URLSearchParams): string {
  const rpFrame = `rp_session_iframe?${new URLSearchParams({ client_id: q.get('client_id') ?? '', session_state: q.get('session_state') ?? '', issuer: q.get('issuer') ?? '', result: q.get('result') ?? '' })}`;
  return html(
    'Session verification',
    `<iframe id="op_iframe" src="${attr(q.get('check_session_iframe') ?? '')}" onload="window.opLoaded = true" hidden></iframe>` +
      `<iframe id="rp_iframe" src="${attr(rpFrame)}" hidden></iframe>`,
  );
}

/** rp_session_iframe: once the OP frame has loaded, asks it about the session and reports the answer. */
function rpSessionIframePage(q: URLSearchParams): string {
  const values = JSON.stringify({
    message: `${q.get('client_id')} ${q.get('session_state')}`,
    opOrigin: new URL(q.get('issuer')!).origin,
    result: q.get('result'),
  }).replace(/</g, '\\u003c');
  return html(
    'rp session iframe',
    `<script>
var v = ${values};
window.addEventListener('message', function (e) {
  if (e.origin !== v.opOrigin) return;
  window.parent.location.href = v.result + '?state=' + encodeURIComponent(e.data);
});
(function ask() {
  if (!window.parent.opLoaded) return setTimeout(ask, 50);
  window.parent.document.getElementById('op_iframe').contentWindow.postMessage(v.message, v.opOrigin);
})();
</script>`,
  );
}

/**
 * Starts the suite stand-in on a free port of localhost.
 *
 * @example
 * const suite = await startSuiteServer(cert);
 * // register `${suite.base}/backchannel_logout` for the client, sign out, then:
 * const post = await suite.next('/backchannel_logout', 0);
 */
export async function startSuiteServer(cert: DevCert): Promise<SuiteServer> {
  const received: SuiteRequest[] = [];
  const server = https.createServer({ cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://suite.invalid');
      const path = url.pathname.startsWith(`${ALIAS_PATH}/`) ? url.pathname.slice(ALIAS_PATH.length) : url.pathname;
      received.push({
        method: req.method ?? '',
        path,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString(),
        contentType: req.headers['content-type'],
        tlsProtocol: (req.socket as unknown as Partial<TLSSocket>).getProtocol?.() ?? null,
      });
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
      // The suite answers both logout notifications with an empty 200 and no-store.
      if (path === '/backchannel_logout' || path === '/frontchannel_logout') return void res.writeHead(200, { 'cache-control': 'no-store' }).end();
      if (path === '/session_verify') return void page(sessionVerifyPage(url.searchParams));
      if (path === '/rp_session_iframe') return void page(rpSessionIframePage(url.searchParams));
      if (path === '/favicon.ico') return void res.writeHead(404).end();
      page(html(path.slice(1)));
    });
  });
  // All interfaces: Gatehouse resolves "localhost" to whichever address family comes first.
  await new Promise<void>((r) => server.listen(0, r));
  const base = `https://localhost:${(server.address() as AddressInfo).port}${ALIAS_PATH}`;
  return {
    base,
    received,
    async next(path, since, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = received.slice(since).find((r) => r.path === path);
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(
            `the suite stand-in got no request to ${path} within ${ms} ms (got: ${
              received
                .slice(since)
                .map((r) => `${r.method} ${r.path}`)
                .join(', ') || 'nothing'
            })`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
