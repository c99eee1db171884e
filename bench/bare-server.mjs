/**
 * The ceiling for request handling: a bare node:http server answering every
 * request with the same small JSON body. Run pinned like the provider.
 *
 * @example
 * PORT=5100 taskset -c 0 node bench/bare-server.mjs
 * curl localhost:5100/  // {"status":"ok"}
 */
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ status: 'ok' }));
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };

const server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
  // Drain a request body (POSTs), then answer.
  if (req.method === 'POST') {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
    return;
  }
  res.writeHead(200, headers);
  res.end(body);
});

server.listen(Number(process.env.PORT ?? 5100), '127.0.0.1', () => {
  process.stdout.write(`bare server listening on ${server.address().port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
