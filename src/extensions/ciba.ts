/**
 * The host's part of CIBA (OpenID Connect Client-Initiated Backchannel
 * Authentication Core 1.0): how a hint names a user, how a user code is
 * checked, and how the user hears of a new request (a push, an email, ...).
 * docs/extending.md "CIBA", docs/ciba.md.
 */
import type { Logger } from 'pino';
import type { Client, UserService } from '../model/types.js';

/** A new backchannel authentication request, as the notifier sees it (no auth_req_id: the user never needs it). */
export interface CibaNotification {
  clientId: string;
  /** The client's display name (clientName, else its id). */
  clientName: string;
  subjectId: string;
  scopes: readonly string[];
  bindingMessage?: string;
  acrValues?: readonly string[];
  /** Epoch seconds. */
  expiresAt: number;
  /** Where the signed-in user approves or denies it (the built-in home page). */
  approvalUrl: string;
}

/**
 * Tells the user that a client waits for their approval. Called once per
 * request, after it is stored and before the client gets its auth_req_id; a
 * failure is logged and does not fail the request (the request still shows
 * on the home page).
 *
 * @example
 * const cibaNotifier: CibaNotifier = {
 *   async notify(n) {
 *     await pushService.send(n.subjectId, `${n.clientName} asks you to sign in: ${n.bindingMessage ?? ''}`);
 *   },
 * };
 * const gh = await createGatehouse(config, { cibaNotifier });
 */
export interface CibaNotifier {
  notify(notification: CibaNotification): Promise<void>;
}

/** What a login_hint_token resolves to. */
export type LoginHintTokenResult = { subjectId: string } | { expired: true } | undefined;

/**
 * Resolves the hints of a backchannel authentication request (CIBA §7.1) to
 * a user, and checks user codes. Every method is optional; see the defaults.
 *
 * @example
 * const cibaUserResolver: CibaUserResolver = {
 *   async loginHint(hint) { return (await directory.byPhone(hint))?.id; },
 *   async verifyUserCode(subjectId, code) { return pins.check(subjectId, code); },
 * };
 */
export interface CibaUserResolver {
  /** login_hint to subject id; undefined: unknown user. Default: the user store's username lookup. */
  loginHint?(hint: string, client: Client): Promise<string | undefined>;
  /**
   * login_hint_token to subject id (its format is the deployment's, CIBA §7.1).
   * Without this method a login_hint_token is refused with invalid_request.
   */
  loginHintToken?(token: string, client: Client): Promise<LoginHintTokenResult>;
  /**
   * Checks a user_code (CIBA §7.1). Only with this method does discovery
   * advertise backchannel_user_code_parameter_supported.
   */
  verifyUserCode?(subjectId: string, userCode: string, client: Client): Promise<boolean>;
}

/** The default login_hint resolution: the hint is a username of the user store. */
export async function usernameLoginHint(users: UserService, hint: string): Promise<string | undefined> {
  return (await users.findByUsername(hint))?.subjectId;
}

/** The default notifier: one log line with ids only (no binding message, no auth_req_id). */
export function loggingCibaNotifier(logger: Logger): CibaNotifier {
  return {
    async notify(n) {
      logger.info({ clientId: n.clientId, subjectId: n.subjectId, expiresAt: n.expiresAt }, 'CIBA request waits for the user on the home page');
    },
  };
}
