import { describe, expect, it } from 'vitest';
import { InvalidGrant, InvalidRequest } from '../../src/errors.js';
import { assertVerifierSyntax, s256Challenge, verifyPkce } from '../../src/grants/pkce.js';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('pkce', () => {
  it('computes the S256 challenge of RFC 7636 Appendix B', () => {
    expect(s256Challenge(VERIFIER)).toBe(CHALLENGE);
  });

  it('accepts the verifier grammar of RFC 7636 §4.1 and nothing else', () => {
    expect(() => assertVerifierSyntax(undefined)).not.toThrow();
    expect(() => assertVerifierSyntax('a'.repeat(43))).not.toThrow();
    expect(() => assertVerifierSyntax('A-._~z09'.repeat(16))).not.toThrow(); // 128
    expect(() => assertVerifierSyntax('a'.repeat(42))).toThrow(InvalidRequest);
    expect(() => assertVerifierSyntax('a'.repeat(129))).toThrow(InvalidRequest);
    expect(() => assertVerifierSyntax(`${'a'.repeat(42)}+`)).toThrow(InvalidRequest);
    expect(() => assertVerifierSyntax(`${'a'.repeat(42)} `)).toThrow(InvalidRequest);
  });

  it('verifies S256 and plain challenges', () => {
    expect(() => verifyPkce({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }, VERIFIER)).not.toThrow();
    expect(() => verifyPkce({ codeChallenge: VERIFIER, codeChallengeMethod: 'plain' }, VERIFIER)).not.toThrow();
    // No method stored means plain (RFC 7636 §4.3).
    expect(() => verifyPkce({ codeChallenge: VERIFIER }, VERIFIER)).not.toThrow();
  });

  it('answers invalid_grant for a wrong or missing verifier', () => {
    expect(() => verifyPkce({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }, 'x'.repeat(43))).toThrow(InvalidGrant);
    expect(() => verifyPkce({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }, undefined)).toThrow(/required/);
    // The challenge itself is not a valid S256 verifier, and plain cannot be used against an S256 challenge.
    expect(() => verifyPkce({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }, CHALLENGE)).toThrow(InvalidGrant);
    expect(() => verifyPkce({ codeChallenge: VERIFIER, codeChallengeMethod: 'plain' }, CHALLENGE)).toThrow(InvalidGrant);
  });

  it('refuses a verifier for a code without challenge (RFC 9700 §2.1.1)', () => {
    expect(() => verifyPkce({}, VERIFIER)).toThrow(/no code_challenge/);
    expect(() => verifyPkce({}, undefined)).not.toThrow();
  });
});
