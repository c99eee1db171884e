/**
 * Presets: config shortcuts for well-known providers and their quirks. A
 * preset fills what the operator left out (issuer, endpoints, scopes, claim
 * mapping); anything configured wins.
 * - Google: plain OpenID Connect at https://accounts.google.com.
 * - Microsoft Entra ID: OpenID Connect at `https://login.microsoftonline.com/{tenant}/v2.0`;
 *   with a multi-tenant `tenant` (common, organizations, consumers) the
 *   discovered issuer is the template `.../{tenantid}/v2.0` and an ID token's
 *   `iss` must be that template with the token's own `tid` (openid-client does
 *   this check for the login.microsoftonline.com origin; see entraIssuerFor).
 * - GitHub: OAuth 2.0 only (no ID token); the person is `id` of GET /user, and a
 *   private primary email comes from GET /user/emails (primary and verified).
 * - Apple: OpenID Connect with `response_mode=form_post` (required when the
 *   `name` or `email` scope is asked) and a client secret that is an ES256 JWT (apple-secret.ts).
 */
import type { ExternalProviderConfig } from './provider-schema.js';

/** A provider with its preset applied: what the upstream client works from. */
export interface ResolvedProvider {
  name: string;
  displayName: string;
  type: ExternalProviderConfig['type'];
  /** 'oidc': discovery, ID token; 'oauth2': endpoints and userinfo only. */
  protocol: 'oidc' | 'oauth2';
  issuer: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  /** GitHub: the list of the user's emails (the primary verified one becomes `email`). */
  emailsEndpoint?: string;
  scopes: string[];
  responseMode?: 'form_post';
  subjectClaim: string;
  claimMapping: Record<string, string>;
  config: ExternalProviderConfig;
}

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** The issuer a Microsoft Entra ID token must carry: the tenant's own (`tid`) for a multi-tenant configuration. */
export function entraIssuerFor(tenant: string, tid?: string): string | undefined {
  if (!MULTI_TENANT.has(tenant)) return `https://login.microsoftonline.com/${tenant}/v2.0`;
  if (!tid || !/^[0-9a-f-]{36}$/i.test(tid)) return undefined;
  return `https://login.microsoftonline.com/${tid}/v2.0`;
}

export const isMultiTenant = (tenant: string): boolean => MULTI_TENANT.has(tenant);

const STANDARD_MAPPING: Record<string, string> = {
  name: 'name',
  given_name: 'given_name',
  family_name: 'family_name',
  email: 'email',
  email_verified: 'email_verified',
  preferred_username: 'preferred_username',
  picture: 'picture',
};

interface PresetDefaults {
  protocol: 'oidc' | 'oauth2';
  issuer?: string;
  displayName: string;
  scopes: string[];
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  emailsEndpoint?: string;
  responseMode?: 'form_post';
  subjectClaim?: string;
  claimMapping?: Record<string, string>;
}

function presetOf(c: ExternalProviderConfig): PresetDefaults {
  switch (c.type) {
    case 'google':
      return { protocol: 'oidc', issuer: 'https://accounts.google.com', displayName: 'Google', scopes: ['openid', 'profile', 'email'] };
    case 'microsoft':
      return {
        protocol: 'oidc',
        issuer: `https://login.microsoftonline.com/${c.tenant ?? 'common'}/v2.0`,
        displayName: 'Microsoft',
        scopes: ['openid', 'profile', 'email'],
      };
    case 'github':
      return {
        protocol: 'oauth2',
        issuer: 'https://github.com',
        displayName: 'GitHub',
        scopes: ['read:user', 'user:email'],
        authorizationEndpoint: 'https://github.com/login/oauth/authorize',
        tokenEndpoint: 'https://github.com/login/oauth/access_token',
        userinfoEndpoint: 'https://api.github.com/user',
        emailsEndpoint: 'https://api.github.com/user/emails',
        subjectClaim: 'id',
        claimMapping: { name: 'name', preferred_username: 'login', picture: 'avatar_url', website: 'blog', email: 'email', email_verified: 'email_verified' },
      };
    case 'apple':
      return { protocol: 'oidc', issuer: 'https://appleid.apple.com', displayName: 'Apple', scopes: ['openid', 'name', 'email'], responseMode: 'form_post' };
    case 'oauth2':
      return { protocol: 'oauth2', displayName: c.name, scopes: [] };
    case 'oidc':
      return { protocol: 'oidc', displayName: c.name, scopes: ['openid', 'profile', 'email'] };
  }
}

/** Problems that make a provider unusable (reported by `gatehouse providers add` and at startup). */
export function providerProblems(c: ExternalProviderConfig): string[] {
  const p = presetOf(c);
  const out: string[] = [];
  const issuer = c.issuer ?? p.issuer;
  if (!issuer) out.push(`${c.name}: issuer is required for type ${c.type}`);
  if (p.protocol === 'oauth2') {
    for (const k of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const) {
      if (!(c[k] ?? p[k])) out.push(`${c.name}: ${k} is required for type ${c.type}`);
    }
  }
  if (c.type === 'apple' && !c.apple && !c.clientSecret) out.push(`${c.name}: apple (teamId, keyId, privateKeyPem) is required for type apple`);
  if (c.tokenEndpointAuthMethod !== 'none' && c.type !== 'apple' && !c.clientSecret)
    out.push(`${c.name}: clientSecret is required with ${c.tokenEndpointAuthMethod}`);
  if (c.tokenEndpointAuthMethod === 'none' && !c.usePkce) out.push(`${c.name}: a public client (tokenEndpointAuthMethod none) needs usePkce`);
  return out;
}

/** Applies the preset; throws with every problem when the provider is unusable. */
export function resolveProvider(c: ExternalProviderConfig): ResolvedProvider {
  const problems = providerProblems(c);
  if (problems.length) throw new Error(problems.join('; '));
  const p = presetOf(c);
  const issuer = c.issuer ?? p.issuer;
  if (!issuer) throw new Error(`${c.name}: issuer is required`);
  return {
    name: c.name,
    displayName: c.displayName ?? p.displayName,
    type: c.type,
    protocol: p.protocol,
    issuer,
    authorizationEndpoint: c.authorizationEndpoint ?? p.authorizationEndpoint,
    tokenEndpoint: c.tokenEndpoint ?? p.tokenEndpoint,
    userinfoEndpoint: c.userinfoEndpoint ?? p.userinfoEndpoint,
    emailsEndpoint: p.emailsEndpoint,
    scopes: c.scopes ?? p.scopes,
    responseMode: p.responseMode,
    subjectClaim: c.subjectClaim ?? p.subjectClaim ?? 'sub',
    claimMapping: { ...(p.claimMapping ?? STANDARD_MAPPING), ...c.claimMapping },
    config: c,
  };
}

/** GitHub /user/emails: the primary verified address (a private one is absent from /user). */
export function primaryVerifiedEmail(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const hit = list.find((e: unknown) => {
    const r = e as { primary?: unknown; verified?: unknown; email?: unknown };
    return r && r.primary === true && r.verified === true && typeof r.email === 'string';
  }) as { email: string } | undefined;
  return hit?.email;
}
