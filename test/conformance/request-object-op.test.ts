/**
 * The request object and request_uri modules of the OpenID conformance
 * suite's OP plans (Basic OP and Form Post OP: `oidcc-unsigned-request-object-*`,
 * `oidcc-ensure-request-object-*`, `oidcc-request-uri-*`), re-expressed as
 * black-box tests against `gatehouse start` over https (config/conformance.json).
 * See README.md here. The suite builds a request object from its usual
 * authorization request, puts every parameter inside, and repeats
 * response_type, client_id, scope and redirect_uri outside (OIDC Core §6.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIRECT, Rp, readFormPost, type Mode } from './rp.js';
import { startHttpsOp, type HttpsOp } from './https-op.js';
import { requirePrograms } from '../helpers/requirements.js';

const skip = requirePrograms(['openssl']);

let op: HttpsOp;
beforeAll(async () => {
  op = await startHttpsOp();
});
afterAll(() => op?.close());

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe.skipIf(!!skip).concurrent.each<[string, Mode]>([
  ['Basic OP', 'default'],
  ['Form Post OP', 'form_post'],
])('%s', (_plan, mode) => {
  let rp: Rp;
  beforeAll(async () => {
    rp = await new Rp(op.url, mode).init();
  });

  /** ConvertAuthorizationEndpointRequestToRequestObject + SerializeRequestObjectWithNullAlgorithm + the by-value redirect. */
  function requestObjectRequest(outer: Record<string, string> = {}) {
    const inner = rp.request();
    const request = `${b64({ alg: 'none' })}.${b64({ ...inner, iss: inner.client_id, aud: op.url })}.`;
    const { response_type, client_id, scope, redirect_uri } = inner;
    const sent = { request, response_type, client_id, scope, redirect_uri, ...(mode === 'form_post' ? { response_mode: 'form_post' } : {}), ...outer };
    return { sent, inner };
  }

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported', async () => {
    // Discovery lists none (the module runs) and request_parameter_supported (CheckDiscEndpointRequestParameterSupported).
    expect(rp.discovery.request_object_signing_alg_values_supported).toContain('none');
    expect(rp.discovery.request_parameter_supported).toBe(true);
    const { sent, inner } = requestObjectRequest();
    const outcome = await rp.authorize(sent);
    // The state comes from the request object only; the OP must have processed it.
    const code = rp.expectCode(outcome, { ...sent, state: inner.state });
    const tokens = await rp.expectTokens(await rp.exchange(code), { nonce: inner.nonce });
    expect(tokens.claims.sub).toBe('1');
  });

  it('oidcc-ensure-request-object-with-redirect-uri', async () => {
    // The outer redirect_uri is not registered; the request object's is, and wins (OIDC Core §6.1,
    // RFC 9101 §6.3). A signed-in browser goes straight back to the client: the redirect must be the object's.
    const first = await rp.loginFlow();
    const { sent, inner } = requestObjectRequest({ redirect_uri: `${REDIRECT}/invalid` });
    const res = await first.jar.fetch(`${rp.discovery.authorization_endpoint}?${new URLSearchParams(sent)}`);
    let params: URLSearchParams;
    if (mode === 'form_post') {
      const posted = readFormPost(await res.text())!;
      expect(posted.action).toBe(REDIRECT);
      params = posted.params;
    } else {
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      params = location.searchParams;
    }
    expect(params.get('state')).toBe(inner.state);
    expect(params.get('iss')).toBe(op.url);
    await rp.expectTokens(await rp.exchange(params.get('code')!), { nonce: inner.nonce });
  });

  it('oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported (not applicable to static clients)', async () => {
    // The module needs dynamic registration. What it would accept: completing, or request_uri_not_supported.
    // Fetching request_uri by reference is off by default (requestObjects.fetchByReference): the error goes to the client.
    const sent = rp.request({ request_uri: 'https://rp.example/request.jwt' });
    expect(rp.expectRedirectedError(await rp.authorize(sent), sent, ['request_uri_not_supported'])).toBe('request_uri_not_supported');
  });

  it('oidcc-request-uri-unsigned and oidcc-request-uri-signed-rs256 (not applicable to static clients)', () => {
    // Both are dynamic-registration variants only. What they would read in discovery: RS256 and none for request
    // objects; request_uri_parameter_supported is true because the PAR endpoint's urn request_uri values work.
    expect(rp.discovery.request_object_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'none']));
    expect(rp.discovery.request_uri_parameter_supported).toBe(true);
    expect(rp.discovery.require_request_uri_registration).toBe(false);
  });
});
