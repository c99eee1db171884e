/**
 * The account pages of visitors who are not signed in: self-registration
 * with its verification link, and password reset (docs/account.md). Each
 * form carries a CSRF token; each answer is a page, never a 5xx.
 */
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import { confirmRegistration, registrationLinkState, requestRegistration } from '../../account/registration.js';
import { requestPasswordReset, resetLinkState, resetPassword } from '../../account/password-reset.js';
import type { AccountError } from '../index.js';
import { field, type AccountKit } from './account-kit.js';

export function accountFlowRoutes(a: AccountKit): [string, Route][] {
  const { deps, path } = a;
  const { ctx } = deps;
  const features = deps.features;
  const resetUrl = (req: InternalRequest) => (features.passwordReset ? a.withLocales(`${path}/reset`, req) : undefined);
  const tokenOf = (req: InternalRequest) => single(req.query, 'token', 64) ?? single(req.body, 'token', 64);
  const limited = async (req: InternalRequest) =>
    ctx.rateLimits ? ctx.rateLimits.check('account-ip', req.ip, ctx.config.account.requestsPerIp, 'account') : 0;
  const retry = (res: InternalResponse, wait: number) => ({ ...res, headers: { ...res.headers, 'retry-after': String(wait) } });

  const register: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const action = a.withLocales(`${path}/register`, req);
      const show = (error?: AccountError, status = 200, email?: string) =>
        a.flow(req, { step: 'register', action, error, email, resetUrl: resetUrl(req) }, status);
      if (req.method === 'GET') return show();
      const email = field(req, 'email', 254);
      if (!a.anonymousCsrfOk(req)) return show('csrf', 403, email);
      const wait = await limited(req);
      if (wait > 0) return retry(a.flow(req, { step: 'register', action, error: 'rate_limited', retryAfter: wait, email }, 429), wait);
      const outcome = await requestRegistration(deps, {
        email,
        password: field(req, 'password'),
        confirmation: field(req, 'password_confirm'),
        locale: a.locale(req),
      });
      if (!outcome.ok) return show(outcome.problem, 400, email);
      return a.flow(req, { step: 'registerSent' });
    },
  };

  /** The mailed link opens a page whose button uses it: a mail scanner fetching the link does not use it up. */
  const verify: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = tokenOf(req);
      if (req.method === 'GET') {
        const state = await registrationLinkState(deps, token);
        if (state !== 'valid') return a.flow(req, { step: 'linkInvalid', linkProblem: state }, 400);
        return a.flow(req, { step: 'verify', action: a.withLocales(`${path}/verify`, req), token });
      }
      if (!a.anonymousCsrfOk(req)) return a.flow(req, { step: 'verify', action: a.withLocales(`${path}/verify`, req), token, error: 'csrf' }, 403);
      const outcome = await confirmRegistration(deps, token);
      if (outcome !== 'created') return a.flow(req, { step: 'linkInvalid', linkProblem: outcome }, 400);
      return a.flow(req, { step: 'verified' });
    },
  };

  const resetRequest: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const action = a.withLocales(`${path}/reset`, req);
      if (req.method === 'GET') return a.flow(req, { step: 'resetRequest', action });
      const email = field(req, 'email', 254);
      if (!a.anonymousCsrfOk(req)) return a.flow(req, { step: 'resetRequest', action, email, error: 'csrf' }, 403);
      const outcome = await requestPasswordReset(deps, { email, ip: req.ip, locale: a.locale(req) });
      if (outcome.ok) return a.flow(req, { step: 'resetSent' });
      if (outcome.problem === 'rate_limited') {
        return retry(a.flow(req, { step: 'resetRequest', action, email, error: 'rate_limited', retryAfter: outcome.retryAfter }, 429), outcome.retryAfter);
      }
      return a.flow(req, { step: 'resetRequest', action, email, error: outcome.problem }, 400);
    },
  };

  const resetConfirm: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = tokenOf(req);
      const action = a.withLocales(`${path}/reset/confirm`, req);
      const state = await resetLinkState(deps, token);
      if (state !== 'valid') return a.flow(req, { step: 'linkInvalid', linkProblem: state, resetUrl: resetUrl(req) }, 400);
      if (req.method === 'GET') return a.flow(req, { step: 'resetForm', action, token });
      if (!a.anonymousCsrfOk(req)) return a.flow(req, { step: 'resetForm', action, token, error: 'csrf' }, 403);
      const outcome = await resetPassword(deps, { token, password: field(req, 'password'), confirmation: field(req, 'password_confirm') });
      if (outcome === 'done') return a.flow(req, { step: 'resetDone' });
      if (outcome === 'invalid' || outcome === 'expired') return a.flow(req, { step: 'linkInvalid', linkProblem: outcome, resetUrl: resetUrl(req) }, 400);
      return a.flow(req, { step: 'resetForm', action, token, error: outcome }, 400);
    },
  };

  const out: [string, Route][] = [];
  if (features.registration) out.push([`${path}/register`, register], [`${path}/verify`, verify]);
  if (features.passwordReset) out.push([`${path}/reset`, resetRequest], [`${path}/reset/confirm`, resetConfirm]);
  return out;
}
