/**
 * Certificate thumbprints and bindings (RFC 8705 §3.1) with certificates
 * made by openssl; the proxy header forms (RFC 9440, URL-encoded PEM).
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFromHeader, certificateMatchesCnf, certificateThumbprint } from '../../src/proof/index.js';
import { requirePrograms } from '../helpers/requirements.js';
import { makePki, opensslDer, opensslThumbprint, type TestPki } from './certificates.js';

const skip = requirePrograms(['openssl']);

describe.skipIf(skip)('mTLS certificate thumbprints', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki?.dispose());

  it('computes x5t#S256 as openssl does, from an X509Certificate, PEM or DER', () => {
    const a = pki.client('a');
    const expected = opensslThumbprint(a.certPath);
    expect(certificateThumbprint(new X509Certificate(a.cert))).toBe(expected);
    expect(certificateThumbprint(a.cert)).toBe(expected);
    expect(certificateThumbprint(opensslDer(a.certPath))).toBe(expected);
    expect(certificateThumbprint(pki.client('b').cert)).not.toBe(expected);
    expect(() => certificateThumbprint('not a certificate')).toThrow();
  });

  it("matches a token's cnf only with the bound certificate", () => {
    const a = new X509Certificate(pki.client('a').cert);
    const b = new X509Certificate(pki.client('b').cert);
    const cnf = { 'x5t#S256': opensslThumbprint(pki.client('a').certPath) };
    expect(certificateMatchesCnf(cnf, a)).toBe(true);
    expect(certificateMatchesCnf(cnf, b)).toBe(false);
    expect(certificateMatchesCnf(cnf, undefined)).toBe(false);
    expect(certificateMatchesCnf({ jkt: 'x' }, a)).toBe(false);
    expect(certificateMatchesCnf({ 'x5t#S256': 5 }, a)).toBe(false);
  });

  it('reads a forwarded certificate: RFC 9440 Client-Cert and URL-encoded PEM, nothing else', () => {
    const a = pki.client('a');
    const der = opensslDer(a.certPath);
    expect(certificateFromHeader(`:${der.toString('base64')}:`)?.raw).toEqual(der);
    expect(certificateFromHeader(encodeURIComponent(a.cert))?.raw).toEqual(der);
    expect(certificateFromHeader(a.cert)?.raw).toEqual(der);
    for (const bad of [undefined, '', ':bm90IGEgY2VydA==:', 'garbage', `:${der.toString('base64')}:, :${der.toString('base64')}:`, '%E0%A4%A']) {
      expect(certificateFromHeader(bad)).toBeUndefined();
    }
  });
});
