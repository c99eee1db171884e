/**
 * RFC 7636: Proof Key for Code Exchange, the token-endpoint half. The
 * authorization endpoint stores `code_challenge` and its method with the code;
 * here the `code_verifier` is checked against it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidGrant, InvalidRequest } from '../errors.js';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved; unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The challenge bound to an authorization code. */
export interface PkceChallenge {
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
}

/**
 * RFC 7636 §4.2: the S256 challenge of a verifier, BASE64URL(SHA256(ASCII(verifier))).
 *
 * @example s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Syntax check, run before the code is touched. A verifier outside the
 * RFC 7636 §4.1 grammar is a malformed parameter: invalid_request
 * (RFC 6749 §5.2 "otherwise malformed"), as node-oidc-provider answers.
 *
 * @example assertVerifierSyntax(body.code_verifier) // throws InvalidRequest for 'short'
 */
export function assertVerifierSyntax(verifier: string | undefined): void {
  if (verifier !== undefined && !CODE_VERIFIER_PATTERN.test(verifier)) {
    throw new InvalidRequest('code_verifier must be 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1)');
  }
}

/** Equality in constant time: compares SHA-256 digests, which have equal length. */
function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * RFC 7636 §4.6: verifies the verifier against the code's challenge; every
 * failure is invalid_grant.
 *
 * @example verifyPkce({ codeChallenge, codeChallengeMethod: 'S256' }, body.code_verifier)
 */
export function verifyPkce(code: PkceChallenge, verifier: string | undefined): void {
  if (!code.codeChallenge) {
    // RFC 9700 §2.1.1: a code_verifier for a code issued without code_challenge is rejected
    // (PKCE downgrade, RFC 9700 §4.8.2).
    if (verifier !== undefined) throw new InvalidGrant('code_verifier sent, but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request had a code_challenge');
  // RFC 7636 §4.3: the method defaults to plain; the authorization endpoint stores what it accepted.
  const method = code.codeChallengeMethod ?? 'plain';
  const derived = method === 'S256' ? s256Challenge(verifier) : verifier;
  if (!constantTimeEqual(derived, code.codeChallenge)) throw new InvalidGrant('code_verifier does not match the code_challenge');
}
