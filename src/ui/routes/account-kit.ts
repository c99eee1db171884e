/**
 * What the account routes share: the paths, the rendering with the page's
 * locale kept in form URLs, and the CSRF check of the forms of visitors
 * who are not signed in (a double-submit cookie, as the device page does).
 */
import { createHash, randomBytes } from 'node:crypto';
import { single } from '../../core/params.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../../core/types.js';
import type { AccountDeps } from '../../account/account-service.js';
import { renderPage, type AccountFlowPageProps } from '../index.js';
import { page, queryLocales, safeEqual, type PageKit } from './page-kit.js';

const CSRF_COOKIE = 'gh.account';
const csrfOf = (secret: string) => createHash('sha256').update(`account-csrf:${secret}`).digest('base64url');

export interface AccountKit {
  kit: PageKit;
  deps: AccountDeps;
  /** `{base}/account`. */
  path: string;
  /** A URL with the request's ui_locales kept. */
  withLocales(url: string, req: InternalRequest): string;
  limits(): { minLength: number; maxLength: number };
  /** A step of the flow page with a fresh or kept CSRF cookie. */
  flow(
    req: InternalRequest,
    props: Omit<AccountFlowPageProps, 'locale' | 'theme' | 'basePath' | 'limits' | 'csrfToken'>,
    status?: number,
    cookies?: SetCookie[],
  ): InternalResponse;
  /** The double-submit check of an anonymous form. */
  anonymousCsrfOk(req: InternalRequest): boolean;
  /** The address the form was sent from, the message table's locale. */
  locale(req: InternalRequest): 'en' | 'de';
}

export function createAccountKit(kit: PageKit, deps: AccountDeps): AccountKit {
  const path = `${kit.base}/account`;
  const withLocales = (url: string, req: InternalRequest) => {
    const locales = queryLocales(req);
    return locales ? `${url}${url.includes('?') ? '&' : '?'}ui_locales=${encodeURIComponent(locales)}` : url;
  };
  const limits = () => {
    const p = kit.ctx.config.account.passwordPolicy;
    return { minLength: p.minLength, maxLength: p.maxLength };
  };
  return {
    kit,
    deps,
    path,
    withLocales,
    limits,
    flow(req, props, status = 200, cookies) {
      let secret = req.cookies[CSRF_COOKIE];
      const out = cookies ? [...cookies] : [];
      if (!secret || secret.length !== 43) {
        secret = randomBytes(32).toString('base64url');
        out.push({ name: CSRF_COOKIE, value: secret, path });
      }
      const html = renderPage('accountFlow', { ...kit.common(queryLocales(req)), limits: limits(), csrfToken: csrfOf(secret), ...props }, kit.templates);
      return page(html, status, [], out);
    },
    anonymousCsrfOk(req) {
      const secret = req.cookies[CSRF_COOKIE];
      const token = single(req.body, 'csrf', 128);
      return Boolean(secret && token && safeEqual(token, csrfOf(secret)));
    },
    locale: (req) => kit.common(queryLocales(req)).locale,
  };
}

/** A form field as a string ('' when absent; a repeated or too long one is a 400 page, core/params.ts). */
export const field = (req: InternalRequest, name: string, max = 4096): string => single(req.body, name, max) ?? '';
