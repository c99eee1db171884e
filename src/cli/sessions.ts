/**
 * `gatehouse sessions list|end`: server-side session management from the
 * command line, against the configured store.
 *
 *   sessions list [--sub S] [--client C] [--sid X] [--json]
 *   sessions end (--sid X | --sub S | --client C)
 *
 * `end` sends back-channel logout to the sessions' clients and waits for the
 * deliveries (each bounded by authentication.backChannelLogoutTimeout and its retries).
 */
import { parseArgs } from 'node:util';
import { joinOptionValues } from './option-values.js';
import type { GatehouseEvent } from '../model/types.js';
import type { SessionFilter, SessionInfo, SessionManagement } from '../sessions/session-management.js';

export interface SessionsCommandContext {
  sessions: SessionManagement;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Events the provider emitted so far (back-channel results are reported from these). */
  events: GatehouseEvent[];
}

const USAGE = `usage:
  gatehouse sessions list [--sub SUBJECT] [--client CLIENT_ID] [--sid SID] [--json]
  gatehouse sessions end (--sid SID | --sub SUBJECT | --client CLIENT_ID)`;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Renders sessions as a tab-separated table with a header row. */
export function formatSessionTable(sessions: readonly SessionInfo[]): string {
  const rows = sessions.map((s) => [s.sid, s.subjectId, iso(s.authTime), iso(s.expiresAt), s.clients.map((c) => c.clientId).join(',') || '-'].join('\t'));
  return ['sid\tsubject\tsigned in\texpires\tclients', ...rows].join('\n');
}

export async function runSessionsCommand(args: string[], ctx: SessionsCommandContext): Promise<number> {
  const [sub, ...rest] = args[0] === 'sessions' ? args.slice(1) : args;
  let values: { sub?: string; client?: string; sid?: string; json?: boolean };
  try {
    const options = { sub: { type: 'string' }, client: { type: 'string' }, sid: { type: 'string' }, json: { type: 'boolean' } } as const;
    ({ values } = parseArgs({ args: joinOptionValues(rest, options), options, strict: true }));
  } catch (e) {
    ctx.err(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const filter: SessionFilter = { subjectId: values.sub, clientId: values.client, sid: values.sid };
  switch (sub) {
    case 'list': {
      const sessions = await ctx.sessions.query(filter);
      ctx.out(values.json ? JSON.stringify(sessions, null, 2) : formatSessionTable(sessions));
      return 0;
    }
    case 'end': {
      if (!values.sub && !values.client && !values.sid) {
        ctx.err(`sessions end needs --sid, --sub or --client\n${USAGE}`);
        return 2;
      }
      const ended = await ctx.sessions.end(filter);
      await ctx.sessions.idle();
      ctx.out(`ended ${ended.length} session${ended.length === 1 ? '' : 's'}${ended.length ? `: ${ended.map((e) => e.sid).join(', ')}` : ''}`);
      const failed = ctx.events.filter((e) => e.type === 'back_channel_logout_failed');
      for (const f of failed) ctx.err(`back-channel logout to ${f.clientId} failed: ${String(f.detail?.reason)}`);
      return failed.length ? 1 : 0;
    }
    default:
      ctx.err(USAGE);
      return 2;
  }
}
