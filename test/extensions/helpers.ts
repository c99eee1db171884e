/** Shared pieces of the extension-point tests: token requests and JWT payloads. */
import { decodeJwt } from 'jose';
import { basic, form } from '../helpers/server.js';

export async function tokenRequest(base: string, params: Record<string, string | string[]>, client = 'interactive.confidential', secret = 'secret') {
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic(client, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function userinfo(base: string, accessToken: string) {
  const res = await fetch(`${base}/connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, any> };
}

export const claimsOf = (jwt: string) => decodeJwt(jwt) as Record<string, any>;
