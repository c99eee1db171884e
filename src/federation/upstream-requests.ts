/**
 * One upstream sign-in in flight: state, nonce and PKCE verifier (fresh
 * random values per request), kept server-side under the hash of `state` and
 * bound to the browser by a cookie (`gh.fed.browser`, `__Host-` on https):
 * the callback is accepted only once (consume is atomic), only in the browser
 * that started it, and only before `federation.requestLifetime` ends.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { SetCookie } from '../core/types.js';

export const BROWSER_COOKIE = 'gh.fed.browser';
const KIND = 'federation_request';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const random = () => randomBytes(32).toString('base64url');

export interface UpstreamRequest {
  provider: string;
  /** 'login': continue the pending authorization request; 'link': add a link to `linkSubject`. */
  intent: 'login' | 'link';
  interactionId?: string;
  linkSubject?: string;
  binding: string;
  nonce: string;
  codeVerifier: string;
}

/** The browser's binding value (made when absent) and the cookie that carries it. */
export function browserBinding(ctx: ProviderContext, cookies: Readonly<Record<string, string>>): { value: string; cookie?: SetCookie } {
  const existing = cookies[BROWSER_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { value: existing };
  const value = random();
  // Lax carries it on the upstream's redirect back (a top-level GET); a form_post answer (Apple) is a
  // cross-site POST, which only a SameSite=None cookie survives: on https (Secure, __Host-) it is None.
  const sameSite = ctx.issuer.startsWith('https:') ? 'None' : 'Lax';
  return { value, cookie: { name: BROWSER_COOKIE, value, httpOnly: true, sameSite, path: '/', maxAge: ctx.config.federation.requestLifetime } };
}

/** Stores a new request; returns the state, nonce and verifier to send upstream. */
export async function beginUpstreamRequest(
  ctx: ProviderContext,
  r: Omit<UpstreamRequest, 'binding' | 'nonce' | 'codeVerifier'>,
  bindingValue: string,
): Promise<{ state: string; nonce: string; codeVerifier: string }> {
  const state = random();
  const payload: UpstreamRequest = { ...r, binding: sha256(bindingValue), nonce: random(), codeVerifier: random() };
  const now = ctx.clock.now();
  await ctx.backend.records.put({ kind: KIND, id: sha256(`state:${state}`), createdAt: now, expiresAt: now + ctx.config.federation.requestLifetime, payload });
  return { state, nonce: payload.nonce, codeVerifier: payload.codeVerifier };
}

export type RequestProblem = 'unknown_state' | 'other_browser';

/** Takes the request named by `state` (once); checks that this browser started it. */
export async function takeUpstreamRequest(
  ctx: ProviderContext,
  state: string,
  bindingValue: string | undefined,
): Promise<{ ok: true; request: UpstreamRequest } | { ok: false; problem: RequestProblem }> {
  const now = ctx.clock.now();
  const rec = await ctx.backend.records.consume<UpstreamRequest>(KIND, sha256(`state:${state}`), now);
  if (!rec || rec.expiresAt <= now) return { ok: false, problem: 'unknown_state' };
  const a = Buffer.from(rec.payload.binding);
  const b = Buffer.from(sha256(bindingValue ?? ''));
  if (!bindingValue || a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, problem: 'other_browser' };
  return { ok: true, request: rec.payload };
}

/** Keeps a value under a random handle (hashed in the store) for `lifetime` seconds; returns the handle. */
export async function keep(ctx: ProviderContext, purpose: string, payload: unknown, lifetime: number, subjectId?: string): Promise<string> {
  const handle = random();
  const now = ctx.clock.now();
  await ctx.backend.records.put({ kind: KIND, id: sha256(`${purpose}:${handle}`), subjectId, createdAt: now, expiresAt: now + lifetime, payload });
  return handle;
}

/** A kept value, still valid; `once` consumes it. */
export async function recall<P>(ctx: ProviderContext, purpose: string, handle: string | undefined, once = false): Promise<P | undefined> {
  if (!handle || handle.length > 100) return undefined;
  const now = ctx.clock.now();
  const id = sha256(`${purpose}:${handle}`);
  const rec = once ? await ctx.backend.records.consume<P>(KIND, id, now) : await ctx.backend.records.find<P>(KIND, id);
  if (!rec || rec.expiresAt <= now || (!once && rec.consumedAt !== undefined)) return undefined;
  return rec.payload;
}

/** A value under a known key (the upstream `sid` of a federated session). */
export async function putKeyed(ctx: ProviderContext, key: string, payload: unknown, lifetime: number, subjectId?: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.backend.records.put({ kind: KIND, id: sha256(`keyed:${key}`), subjectId, createdAt: now, expiresAt: now + lifetime, payload });
}

export async function getKeyed<P>(ctx: ProviderContext, key: string): Promise<P | undefined> {
  const rec = await ctx.backend.records.find<P>(KIND, sha256(`keyed:${key}`));
  return rec && rec.expiresAt > ctx.clock.now() ? rec.payload : undefined;
}
