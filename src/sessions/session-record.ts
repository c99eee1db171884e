/** The server-side SSO session (kind 'session', id = hash of the session cookie; sessionId = sid). */
export interface SessionPayload {
  sid: string;
  authTime: number;
  amr: string[];
  acr?: string;
  /** Client ids that received tokens in this session (for logout). */
  clients: string[];
  remember: boolean;
}
