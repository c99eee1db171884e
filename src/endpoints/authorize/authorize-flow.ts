/**
 * What happens to a validated authorization request: sign-in if needed,
 * consent if needed, then an authorization code to the client. Runs for a
 * fresh request and again when an interaction resumes.
 */
import type { ProviderContext } from '../../context.js';
import { AccessDenied, ConsentRequired, LoginRequired, type OAuthError } from '../../errors.js';
import { authorizationCodeRecord } from '../../grants/authorization-code-grant.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../../core/types.js';
import type { Client } from '../../model/types.js';
import { consentCovers, consentWrite, findConsent } from '../../sessions/consent-store.js';
import { browserStateCookie, sessionState } from '../../sessions/browser-state.js';
import { endStoredSession } from '../../sessions/end-user-session.js';
import { beginSession, currentSession, sessionWrites, touchedSession, type Session } from '../../sessions/session-service.js';
import type { RecordWrite } from '../../stores/types.js';
import { activeProfile } from '../../tokens/user-claims.js';
import type { AuthorizationRequest } from '../../model/authorization-request.js';
import { authorizationErrorResponse, authorizationResponse } from './authorization-response.js';
import { frontChannelTokens } from './front-channel-tokens.js';
import { returnsCode } from './response-types.js';
import {
  finishInteraction,
  interactionWrite,
  loginOf,
  newInteraction,
  type Interaction,
  type InteractionKind,
  type InteractionUrl,
} from '../../interaction/interaction-store.js';
import type { EventOf } from '../../events/types.js';
import { acrFor } from '../../tokens/acr.js';
import { releasableClaims, satisfiesEssentialAcr } from '../../tokens/claims-request.js';
import { namesSubject } from '../../tokens/pairwise.js';
import { needsStepUp } from '../../mfa/mfa-policy.js';

export type { InteractionUrl } from '../../interaction/interaction-store.js';

/** Why the user must (re-)authenticate, or undefined when the session suffices. */
function loginReason(
  ctx: ProviderContext,
  client: Client,
  request: AuthorizationRequest,
  session: Session | undefined,
  loginDone: boolean,
): string | undefined {
  if (!session) return 'no session';
  if (loginDone) return undefined;
  const now = ctx.clock.now();
  if (request.prompt.includes('login') || request.prompt.includes('select_account')) return 'prompt';
  // OIDC Core §3.1.2.1 max_age: re-authenticate when the last login is older;
  // max_age=0 is equivalent to prompt=login (even within the same second).
  if (request.maxAge !== undefined && (request.maxAge === 0 || now - session.payload.authTime > request.maxAge)) return 'max_age';
  if (client.userSsoLifetime !== undefined && now - session.payload.authTime > client.userSsoLifetime) return 'userSsoLifetime';
  // The hint's sub is the one the client saw: pairwise for a pairwise client (tokens/pairwise.ts).
  if (request.idTokenHintSub !== undefined && !namesSubject(ctx, client, request.idTokenHintSub, session.subjectId)) return 'id_token_hint names another user';
  // OIDC Core §5.5.1.1: an essential acr the session does not meet asks for a new sign-in.
  if (!satisfiesEssentialAcr(request.claims, session.payload.acr)) return 'essential acr';
  // OIDC Core §3.1.2.1 acr_values / a client requiring MFA: a single-factor session steps up (mfa/mfa-policy.ts).
  if (needsStepUp(ctx.config, client, request.acrValues, session.payload.amr)) return 'second factor';
  return undefined;
}

/** The events a decision announces: emitted only once its writes are stored. */
export type DecisionEvent = EventOf<'consent_denied'> | EventOf<'consent_granted'> | EventOf<'authorization_code_issued'> | EventOf<'token_issued'>;

/**
 * The authorization decision as a value: the answer, the writes it owes (one
 * batch) and the events it announces. `proceed` applies it in one step.
 */
export interface Decision {
  response: InternalResponse;
  writes: RecordWrite[];
  events: DecisionEvent[];
}

/** What decide() collects on the way (see proceed). */
interface PendingWrites {
  /** A session begun in this request, not stored yet. */
  session?: Session;
  /** The interaction changed (its login became a session, its page) and is not stored yet. */
  interactionDirty: boolean;
  /** The code, a new interaction, the end of the interaction, a remembered consent, a session touch. */
  writes: RecordWrite[];
  events: DecisionEvent[];
}

/** The browser's session, when the caller already loaded it (a page POST): not read again. */
export interface KnownSession {
  session: Session | undefined;
}

export class AuthorizeFlow {
  constructor(
    private readonly ctx: ProviderContext,
    private readonly interactionUrl: InteractionUrl,
  ) {}

  private redirectTo(request: AuthorizationRequest) {
    return { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state, clientId: request.clientId };
  }

  error(request: AuthorizationRequest, err: OAuthError, cookies: SetCookie[] = []): Promise<InternalResponse> {
    return authorizationErrorResponse(this.ctx, this.redirectTo(request), err, cookies);
  }

  private toInteraction(
    kind: InteractionKind,
    request: AuthorizationRequest,
    interaction: Interaction | undefined,
    cookies: SetCookie[],
    w: PendingWrites,
  ): InternalResponse {
    if (interaction) {
      interaction.payload.kind = kind;
      w.interactionDirty = true;
    } else {
      const created = newInteraction(this.ctx, request, kind);
      interaction = created.interaction;
      w.writes.push(created.write);
      cookies.push(created.cookie);
    }
    return { status: 303, headers: { location: this.interactionUrl(kind, interaction.id), 'cache-control': 'no-store' }, cookies };
  }

  private finish(interaction: Interaction, w: PendingWrites): SetCookie {
    w.interactionDirty = false;
    const { write, cookie } = finishInteraction(interaction);
    w.writes.push(write);
    return cookie;
  }

  /**
   * Decides and answers; `interaction` is set when resuming after a page.
   * A login completed here starts a session that is stored once, when the
   * answer is known (with the client that gets a code), and the interaction
   * is stored only when it outlives this request. These and the code, a new
   * interaction, the end of the interaction, a remembered consent and a
   * session touch are written as one batch (one transaction where the store
   * has writeAll); the decision's events follow once the batch is stored.
   * When the decision or its writes fail, nothing is stored and nothing
   * announced: the browser gets no session cookie, and a retry of the resume
   * starts the session again.
   */
  async proceed(
    req: InternalRequest,
    client: Client,
    request: AuthorizationRequest,
    interaction?: Interaction,
    known?: KnownSession,
  ): Promise<InternalResponse> {
    return this.apply(await this.decide(req, client, request, interaction, known));
  }

  /** Stores a decision's writes in one batch, then announces its events. */
  private async apply(d: Decision): Promise<InternalResponse> {
    await this.ctx.stores.writeAll(d.writes);
    for (const e of d.events) this.ctx.events(e);
    return d.response;
  }

  /** The decision for a request (and its interaction, if resuming); stores nothing but an ended previous session. */
  async decide(req: InternalRequest, client: Client, request: AuthorizationRequest, interaction?: Interaction, known?: KnownSession): Promise<Decision> {
    const w: PendingWrites = { interactionDirty: false, writes: [], events: [] };
    const response = await this.answer(req, client, request, interaction, w, known);
    if (w.session) w.writes.push(...sessionWrites(w.session));
    if (w.interactionDirty && interaction) w.writes.push(interactionWrite(interaction));
    return { response, writes: w.writes, events: w.events };
  }

  private async answer(
    req: InternalRequest,
    client: Client,
    request: AuthorizationRequest,
    interaction: Interaction | undefined,
    w: PendingWrites,
    known?: KnownSession,
  ): Promise<InternalResponse> {
    const ctx = this.ctx;
    const cookies: SetCookie[] = [];
    const state = interaction?.payload.state ?? { step: 'awaiting' as const };
    const login = loginOf(state);
    // A denied state comes from the interaction being resumed.
    if (interaction && state.step === 'denied') {
      w.events.push({ type: 'consent_denied', clientId: client.clientId, subjectId: login?.subjectId, requestId: req.requestId });
      return this.error(request, new AccessDenied('the user denied the request'), [this.finish(interaction, w)]);
    }

    let session = known ? known.session : await currentSession(ctx, req);
    if (login && !login.sessionStarted) {
      // Another user signs in on this browser: the previous user's session ends, with its clients notified.
      if (session && session.subjectId !== login.subjectId) await endStoredSession(ctx, session.record, 'replaced');
      const amr = login.amr ?? ['pwd'];
      const started = await beginSession(ctx, req, {
        previous: session,
        subjectId: login.subjectId,
        authTime: login.authTime,
        amr,
        // The login's own acr (a custom UI's), else the configured mapping of its methods.
        acr: login.acr ?? acrFor(ctx.config, amr),
        remember: login.remember ?? false,
      });
      cookies.push(started.cookie);
      const browserState = browserStateCookie(ctx, started.session);
      if (browserState) cookies.push(browserState);
      session = w.session = started.session;
      login.sessionStarted = true;
      w.interactionDirty = true;
    }

    // The profile service decides whether the session's user is still active; an inactive one signs in again.
    const active = session ? await activeProfile(ctx, session.subjectId, client, 'authorize_endpoint') : undefined;
    const reason = active ? loginReason(ctx, client, request, session, login?.sessionStarted ?? false) : 'no active user';
    // Without a session there is no active user, so `reason` is set; `!session` tells the compiler.
    if (reason || !session) {
      if (request.prompt.includes('none'))
        return this.error(request, new LoginRequired(`end-user authentication is required (${reason ?? 'no active user'})`), cookies);
      return this.toInteraction('login', request, interaction, cookies, w);
    }
    const subjectId = session.subjectId;
    // OIDC Core §3.1.2.1 id_token_hint: when the user who signed in during this
    // request is not the one the hint names, the answer is an error (login_required).
    if (request.idTokenHintSub !== undefined && !namesSubject(ctx, client, request.idTokenHintSub, subjectId)) {
      return this.error(
        request,
        new LoginRequired('the signed-in user is not the one named by id_token_hint'),
        interaction ? [...cookies, this.finish(interaction, w)] : cookies,
      );
    }

    // OIDC Core §5.5.1.1: an essential acr a new sign-in still does not meet is a failed authentication.
    if (!satisfiesEssentialAcr(request.claims, session.payload.acr)) {
      return this.error(
        request,
        new AccessDenied('the authentication does not meet the requested essential acr values'),
        interaction ? [...cookies, this.finish(interaction, w)] : cookies,
      );
    }

    let scopes = request.scopes;
    if (state.step === 'consented') {
      scopes = state.consent.scopes;
      const remembered = Boolean(state.consent.remember && client.allowRememberConsent);
      if (remembered) w.writes.push(consentWrite(ctx, subjectId, client.clientId, scopes, client.consentLifetime));
      w.events.push({ type: 'consent_granted', clientId: client.clientId, subjectId, scopes, remembered, requestId: req.requestId });
    } else if (client.requireConsent || request.prompt.includes('consent')) {
      // OIDC Core §3.1.2.1 prompt=consent: ask even a client that needs no consent.
      const remembered = client.requireConsent && client.allowRememberConsent ? await findConsent(ctx, subjectId, client.clientId) : undefined;
      if (request.prompt.includes('consent') || !consentCovers(remembered, request.scopes)) {
        if (request.prompt.includes('none')) return this.error(request, new ConsentRequired('the user has not consented to this client'), cookies);
        return this.toInteraction('consent', request, interaction, cookies, w);
      }
    }

    const responseType = request.responseType ?? 'code';
    const params: Record<string, string> = {};
    // OIDC Core §5.5: what of the claims parameter this grant may release.
    const claims = releasableClaims(ctx.resources, client, request.claims, scopes, state.step === 'consented' || client.requireConsent);
    let code: { value: string; grantId?: string; recordId: string } | undefined;
    if (returnsCode(responseType)) {
      const issued = authorizationCodeRecord(ctx, {
        client,
        subjectId,
        sessionId: session.payload.sid,
        payload: {
          redirectUri: request.redirectUri,
          scopes,
          resourceIndicators: request.resourceIndicators,
          codeChallenge: request.codeChallenge,
          codeChallengeMethod: request.codeChallengeMethod,
          dpopJkt: request.dpopJkt,
          nonce: request.nonce,
          authTime: session.payload.authTime,
          acr: session.payload.acr,
          amr: session.payload.amr,
          // The claims request and claims_locales, for the token endpoint's ID token, userinfo and the profile service.
          claims,
          claimsLocales: request.claimsLocales,
        },
      });
      w.writes.push({ put: issued.record });
      code = { value: issued.code, grantId: issued.record.grantId, recordId: issued.record.id };
      params.code = issued.code;
      w.events.push({ type: 'authorization_code_issued', clientId: client.clientId, subjectId });
    }
    if (responseType !== 'code') {
      // Implicit and hybrid (OIDC Core §3.2, §3.3): the tokens of the front channel, through the token service.
      Object.assign(
        params,
        await frontChannelTokens(ctx, {
          client,
          request,
          responseType,
          subjectId,
          user: active?.user,
          scopes,
          sessionId: session.payload.sid,
          authTime: session.payload.authTime,
          acr: session.payload.acr,
          amr: session.payload.amr,
          claims,
          claimsLocales: request.claimsLocales,
          code,
        }),
      );
      const grantType = returnsCode(responseType) ? 'hybrid' : 'implicit';
      w.events.push({ type: 'token_issued', clientId: client.clientId, subjectId, grantType, scopes: scopes.filter((s) => s !== 'offline_access') });
    }
    // A session started in this request is stored by decide(), with this client in it.
    if (w.session && session === w.session) {
      if (!w.session.payload.clients.includes(client.clientId)) w.session.payload.clients.push(client.clientId);
    } else {
      const touched = touchedSession(ctx, session, client.clientId);
      if (touched) w.writes.push({ put: touched });
    }
    if (interaction) cookies.push(this.finish(interaction, w));
    // Session Management 1.0 §3: session_state for the client's check_session_iframe.
    const browserState = session.payload.browserState;
    if (browserState && ctx.config.authentication.checkSession)
      params.session_state = sessionState(client.clientId, new URL(request.redirectUri).origin, browserState);
    return authorizationResponse(ctx, this.redirectTo(request), params, cookies);
  }
}
