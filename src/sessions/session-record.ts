/** The server-side SSO session (kind 'session', id = hash of the session cookie; sessionId = sid). */
export interface SessionPayload {
  /** The session id given to clients (ID token and logout token `sid`); the same for every client of the session. */
  sid: string;
  authTime: number;
  amr: string[];
  acr?: string;
  /** Client ids that received tokens in this session, in order of first sign-in (logout notifies them). */
  clients: string[];
  remember: boolean;
  /** The session ends here however active it is (authentication.absoluteSessionLifetime); absent = no limit. */
  absoluteExpiresAt?: number;
  /**
   * Session Management 1.0 §3: the OP browser state, a random value also set
   * in a cookie that the check_session_iframe reads. Never the session id.
   */
  browserState?: string;
}
