/**
 * A reference point, not a Gatehouse measurement: the smallest node:http
 * server that reads a POST body and makes SIGNS (default 1) RS256 signatures
 * per request (node:crypto, synchronous), answering a fixed ~1 KB JSON body.
 * It shows how much of the one-core signing rate any Node HTTP server that
 * signs per request keeps on this machine. SIGNS=2 is the floor of a refresh
 * grant (ID token + access token); SIGNS=0 the cost of one more HTTP exchange.
 *
 * @example
 * PORT=7002 taskset -c 0 node bench/sign-server.mjs &
 * taskset -c 1 wrk -t1 -c32 -d5s -s bench/wrk-post.lua http://127.0.0.1:7002/
 */
import http from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const payload = Buffer.from('x'.repeat(350));
const body = Buffer.from(JSON.stringify({ access_token: 'x'.repeat(900), token_type: 'Bearer', expires_in: 3600, scope: 'api' }));
const signs = Number(process.env.SIGNS ?? 1);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length), 'cache-control': 'no-store' };

http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      for (let i = 0; i < signs; i++) sign('sha256', payload, privateKey);
      res.writeHead(200, headers);
      res.end(body);
    });
  })
  .listen(Number(process.env.PORT ?? 7002), '127.0.0.1');
