/**
 * tls_client_auth subject matching (RFC 8705 §2.1.2) on real certificates:
 * the DN in RFC 4514 order with escapes and case-insensitive values, and each
 * SAN type matched exactly (no wildcard, no other type).
 */
import { describe, expect, it } from 'vitest';
import { parseDn, sanEntries, subjectMismatch } from '../../src/client-auth/certificate-subject.js';
import type { Client } from '../../src/model/types.js';
import { requirePrograms } from '../helpers/requirements.js';
import { makeCertificate } from '../helpers/tls-certificates.js';

const noOpenssl = requirePrograms(['openssl'], 'certificates for subject matching');
const client = (fields: Partial<Client>) => fields as Client;

describe.skipIf(!!noOpenssl)('tls_client_auth subject matching', () => {
  const cert = makeCertificate('/C=DE/O=Example\\, Inc./OU=Payments/CN=api-client', [
    'DNS:client.example.com',
    'DNS:*.wild.example.com',
    'URI:https://client.example.com/id',
    'email:Ops@Example.com',
    'IP:2001:db8::7',
  ]);

  it('parses RFC 4514 strings with escapes', () => {
    expect(parseDn('CN=api-client,OU=Payments,O=Example\\, Inc.,C=DE')).toEqual([
      ['CN', 'api-client'],
      ['OU', 'payments'],
      ['O', 'example, inc.'],
      ['C', 'de'],
    ]);
    expect(parseDn('CN=a,O')).toBeUndefined();
  });

  it('matches the subject DN most-specific first, ignoring case and extra spaces', () => {
    expect(subjectMismatch(client({ tlsClientAuthSubjectDn: 'CN=api-client,OU=Payments,O=Example\\, Inc.,C=DE' }), cert.x509)).toBeUndefined();
    expect(subjectMismatch(client({ tlsClientAuthSubjectDn: 'cn=API-client, ou=payments, o=example\\, inc., c=de' }), cert.x509)).toBeUndefined();
    // Another order, a missing or an extra attribute is another DN.
    expect(subjectMismatch(client({ tlsClientAuthSubjectDn: 'C=DE,O=Example\\, Inc.,OU=Payments,CN=api-client' }), cert.x509)).toMatch(/subject DN/);
    expect(subjectMismatch(client({ tlsClientAuthSubjectDn: 'CN=api-client,O=Example\\, Inc.,C=DE' }), cert.x509)).toMatch(/subject DN/);
  });

  it('matches one SAN of the registered type exactly', () => {
    expect(sanEntries(cert.x509, 'DNS')).toEqual(['client.example.com', '*.wild.example.com']);
    expect(subjectMismatch(client({ tlsClientAuthSanDns: 'CLIENT.example.com' }), cert.x509)).toBeUndefined();
    expect(subjectMismatch(client({ tlsClientAuthSanDns: 'x.wild.example.com' }), cert.x509)).toMatch(/dNSName/);
    expect(subjectMismatch(client({ tlsClientAuthSanUri: 'https://client.example.com/id' }), cert.x509)).toBeUndefined();
    expect(subjectMismatch(client({ tlsClientAuthSanUri: 'https://client.example.com/id/' }), cert.x509)).toMatch(/URI/);
    expect(subjectMismatch(client({ tlsClientAuthSanEmail: 'Ops@example.COM' }), cert.x509)).toBeUndefined();
    expect(subjectMismatch(client({ tlsClientAuthSanEmail: 'ops@example.com' }), cert.x509)).toMatch(/rfc822Name/);
    expect(subjectMismatch(client({ tlsClientAuthSanIp: '2001:0db8:0:0::7' }), cert.x509)).toBeUndefined();
    expect(subjectMismatch(client({ tlsClientAuthSanIp: '2001:db8::8' }), cert.x509)).toMatch(/iPAddress/);
    // A DNS name registered as a URI SAN does not match.
    expect(subjectMismatch(client({ tlsClientAuthSanUri: 'client.example.com' }), cert.x509)).toMatch(/URI/);
  });

  it('a client without a registered subject never matches', () => {
    expect(subjectMismatch(client({}), cert.x509)).toMatch(/no certificate subject/);
  });
});
