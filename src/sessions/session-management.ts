/** The session management part of the library API: `gatehouse.sessions`. */
import type { ProviderContext } from '../context.js';
import type { EndedSession } from './end-user-session.js';
import { endSessions, querySessions, revokeClientGrant, type SessionFilter, type SessionInfo } from './session-admin.js';

export type { SessionFilter, SessionInfo } from './session-admin.js';
export type { EndedSession } from './end-user-session.js';

/**
 * Server-side session management (`gatehouse.sessions`).
 *
 * @example
 * const gh = await createGatehouse(config);
 * for (const s of await gh.sessions.query({ subjectId: '1' })) console.log(s.sid, s.clients);
 * await gh.sessions.end({ subjectId: '1' }); // back-channel logout to every client of those sessions
 */
export interface SessionManagement {
  /** Live sessions by user, client and/or sid (all when the filter is empty). */
  query(filter?: SessionFilter): Promise<SessionInfo[]>;
  /** Ends matching sessions remotely: back-channel logout, session-bound tokens revoked. */
  end(filter: SessionFilter): Promise<EndedSession[]>;
  /** Revokes a client's consent and tokens for a user. */
  revokeClientGrant(subjectId: string, clientId: string): Promise<number>;
  /** Resolves when the back-channel notifications started so far are done. */
  idle(): Promise<void>;
}

export function createSessionManagement(ctx: ProviderContext): SessionManagement {
  return {
    query: (filter) => querySessions(ctx, filter),
    end: (filter) => endSessions(ctx, filter),
    revokeClientGrant: (subjectId, clientId) => revokeClientGrant(ctx, subjectId, clientId),
    idle: () => ctx.background.idle(),
  };
}
