/** CIBA Core 1.0 §4: the OP metadata of the backchannel authentication endpoint, in discovery. */
import type { ProviderContext } from '../context.js';
import { CIBA_GRANT_TYPE } from '../config/ciba-checks.js';
import { userCodeSupported } from './backchannel-authentication-checks.js';

/**
 * Poll and ping (push is not supported); user codes only when the host
 * checks them; no signing algorithms (signed authentication requests, §7.1.1,
 * are not supported, so backchannel_authentication_request_signing_alg_values_supported is omitted).
 */
export function cibaMetadata(ctx: ProviderContext): Record<string, unknown> {
  if (!ctx.grants.has(CIBA_GRANT_TYPE)) return {};
  return {
    backchannel_authentication_endpoint: ctx.endpoints.backchannelAuthentication,
    backchannel_token_delivery_modes_supported: ['poll', 'ping'],
    backchannel_user_code_parameter_supported: userCodeSupported(ctx),
  };
}
