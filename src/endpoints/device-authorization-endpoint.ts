/**
 * The device authorization endpoint (RFC 8628 §3.1, §3.2): a device asks for
 * authorization and gets a device code to poll with, a user code to show, and
 * where the user enters it. docs/device-flow.md.
 */
import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { ProviderContext } from '../context.js';
import { InvalidScope, UnauthorizedClient } from '../errors.js';
import { single, spaceList } from '../core/params.js';
import { raiseParameterProblem, type ParameterDeclaration } from '../core/parameters.js';
import { ASSERTION_LIMIT } from '../client-auth/client-assertion.js';
import { noStoreJson, type InternalRequest, type InternalResponse } from '../core/types.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import { DEVICE_CODE_GRANT } from '../grants/device-code-grant.js';
import type { DeviceCodeRecord, UserCodeRecord } from '../stores/typed/index.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { formatUserCode, newUserCode, userCodeId } from '../tokens/user-code.js';

/** The verification URI (RFC 8628 §3.2): the built-in page under `ui.basePath`. */
export function verificationUri(ctx: ProviderContext): string {
  return `${ctx.issuer}${ctx.config.ui.basePath.replace(/\/$/, '')}/device`;
}

/** Seconds a client's device codes live, and its polling interval: the client's own setting, else the global one. */
export function deviceTimings(ctx: ProviderContext, client: Client): { lifetime: number; interval: number } {
  const d = ctx.config.deviceFlow;
  return { lifetime: client.deviceCodeLifetime ?? d.deviceCodeLifetime, interval: client.pollingInterval ?? d.interval };
}

/** A device code record and its user code record, the user code stored only as a hash. */
function newAuthorization(ctx: ProviderContext, client: Client, scopes: string[], resourceIndicators: string[]) {
  const { lifetime, interval } = deviceTimings(ctx, client);
  const now = ctx.clock.now();
  const deviceCode = newHandle();
  const userCode = newUserCode({ alphabet: ctx.config.deviceFlow.userCodeAlphabet, length: ctx.config.deviceFlow.userCodeLength });
  const device: DeviceCodeRecord = {
    kind: 'device_code',
    id: handleId(deviceCode),
    clientId: client.clientId,
    createdAt: now,
    expiresAt: now + lifetime,
    payload: { userCodeId: userCodeId(userCode), scopes, resourceIndicators, interval },
  };
  const user: UserCodeRecord = {
    kind: 'user_code',
    id: device.payload.userCodeId,
    clientId: client.clientId,
    createdAt: now,
    expiresAt: now + lifetime,
    payload: { deviceCodeId: device.id },
  };
  return { deviceCode, userCode, device, user, lifetime, interval };
}

/**
 * RFC 8628 §3.1: body parameters as at the token endpoint (no repeats, none
 * longer than `server.parameterLimit` but a client assertion), except that
 * `resource` may repeat (RFC 8707 §2); the query must be empty.
 */
export function deviceAuthorizationParameters(_req: InternalRequest, ctx: ProviderContext): ParameterDeclaration {
  return {
    from: 'body',
    queryRefused: 'device authorization parameters must be sent in the request body',
    maxLength: ctx.config.server.parameterLimit,
    rules: { client_assertion: { maxLength: ASSERTION_LIMIT }, resource: { repeated: true } },
  };
}

/** RFC 8628 §3.1: POST with client authentication as at the token endpoint (public clients send client_id). */
export async function deviceAuthorizationEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  raiseParameterProblem(req);
  const { client } = await authenticateClient(req, ctx, 'token');
  if (!client.grantTypeSet.has(DEVICE_CODE_GRANT)) throw new UnauthorizedClient('client is not allowed the device authorization grant');
  const requested = spaceList(single(req.body, 'scope', 2048));
  // Like IdentityServer: no scope means every scope the client may have.
  const scopes = requested.length ? requested : [...client.allowedScopes, ...(client.allowOfflineAccess ? ['offline_access'] : [])];
  const resourceIndicators = req.body.get('resource') ?? [];
  const granted = validateScopes(ctx.resources, client, { requested: scopes, resourceIndicators });
  if (granted.scopes.length === 0) throw new InvalidScope('no scope requested');

  // A user code is a short handle: in the rare case it is taken by a live authorization, draw another.
  let a = newAuthorization(ctx, client, granted.scopes, resourceIndicators);
  for (let i = 0; i < 3 && (await ctx.stores.deviceCodes.findUserCode(a.user.id)); i++) a = newAuthorization(ctx, client, granted.scopes, resourceIndicators);
  await ctx.stores.deviceCodes.issue(a.device, a.user);
  ctx.events({ type: 'device_authorization_issued', clientId: client.clientId, requestId: req.requestId });

  const uri = verificationUri(ctx);
  const shown = formatUserCode(a.userCode);
  // RFC 8628 §3.2
  return noStoreJson({
    device_code: a.deviceCode,
    user_code: shown,
    verification_uri: uri,
    verification_uri_complete: `${uri}?user_code=${encodeURIComponent(shown)}`,
    expires_in: a.lifetime,
    interval: a.interval,
  });
}
