/** Cross-field checks of a CIBA client (CIBA Core 1.0 §4): read defensively from the raw input like the other cross checks. */
import { strings, text } from './loose-input.js';

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/**
 * A client allowed the CIBA grant must be confidential (CIBA §7.1: the client
 * authenticates as at the token endpoint; Gatehouse accepts confidential
 * clients only), and a ping-mode client needs its notification endpoint
 * (§4: "REQUIRED if the token delivery mode is set to ping").
 */
export function checkCibaClient(
  c: Record<string, unknown>,
  confidential: boolean,
  at: PropertyKey[],
  add: (path: PropertyKey[], message: string) => void,
): void {
  const grants = strings(c.allowedGrantTypes);
  const index = grants.indexOf(CIBA_GRANT_TYPE);
  if (index >= 0 && !confidential) add([...at, 'allowedGrantTypes', index], 'the CIBA grant needs a confidential client (requireClientSecret is false)');
  if (text(c.backchannelTokenDeliveryMode) === 'ping' && text(c.backchannelClientNotificationEndpoint) === undefined) {
    add([...at, 'backchannelClientNotificationEndpoint'], 'ping mode needs backchannelClientNotificationEndpoint (CIBA Core §4)');
  }
}
