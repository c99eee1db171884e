/** HTTPS requests with (or without) a client certificate, over a real TLS connection (node:https; fetch has no client certificates). */
import https from 'node:https';

export interface TlsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, any>;
}

export interface TlsRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

/** Sends one request; the server's self-signed certificate is not checked (the test made it). */
export function tlsRequest(url: string, opts: TlsRequestOptions = {}): Promise<TlsResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body;
    const headers: Record<string, string> = { ...opts.headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const req = https.request(
      url,
      { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, cert: opts.cert, key: opts.key, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, any> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const formBody = (params: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});
