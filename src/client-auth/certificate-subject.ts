/**
 * Matching a client certificate against the subject a `tls_client_auth`
 * client registered (RFC 8705 §2.1.2): the subject DN, or one SAN entry of
 * one type. Exact matches only: no wildcards, no partial names.
 */
import { BlockList, isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { Client } from '../model/types.js';

type Rdn = [type: string, value: string];

/** Common attribute names as OpenSSL prints them and as RFC 4514 §3 writes them, by OID. */
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '2.5.4.5': 'SERIALNUMBER',
};

const normalizeType = (t: string) => {
  const type = t
    .trim()
    .toUpperCase()
    .replace(/^OID\./, '');
  return ATTRIBUTE_NAMES[type] ?? type;
};
/** RFC 4517 caseIgnoreMatch, roughly: case and runs of spaces do not count. */
const normalizeValue = (v: string) => v.trim().replace(/\s+/g, ' ').toLowerCase();

/** Undoes RFC 4514 §2.4 escapes (`\,` and `\2C`). */
function unescape(value: string): string {
  return value.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_m, e: string) => (e.length === 2 ? String.fromCharCode(parseInt(e, 16)) : e));
}

/** Splits on `sep` where it is not escaped with a backslash. */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function attribute(text: string): Rdn | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  return [normalizeType(text.slice(0, eq)), normalizeValue(unescape(text.slice(eq + 1)))];
}

/** An RFC 4514 string (`CN=client,O=Example,C=DE`: most specific first) as attributes, in that order. */
export function parseDn(dn: string): Rdn[] | undefined {
  const out: Rdn[] = [];
  for (const rdn of splitUnescaped(dn, ',')) {
    for (const ava of splitUnescaped(rdn, '+')) {
      const a = attribute(ava);
      if (!a) return undefined;
      out.push(a);
    }
  }
  return out;
}

/**
 * The certificate's subject as RFC 4514 orders it. Node prints the subject
 * one attribute a line, in the certificate's order (least specific first);
 * RFC 4514 §2.1 reverses it.
 */
export function certificateDn(cert: X509Certificate): Rdn[] | undefined {
  const out: Rdn[] = [];
  for (const line of cert.subject.split('\n')) {
    if (line === '') continue;
    for (const ava of splitUnescaped(line, '+')) {
      const a = attribute(ava);
      if (!a) return undefined;
      out.push(a);
    }
  }
  return out.reverse();
}

function sameDn(a: Rdn[] | undefined, b: Rdn[] | undefined): boolean {
  if (!a || !b || a.length !== b.length || a.length === 0) return false;
  return a.every(([t, v], i) => t === b[i][0] && v === b[i][1]);
}

/** The SAN entries of one type (`DNS`, `URI`, `IP Address`, `email`); Node quotes values with special characters as JSON strings. */
export function sanEntries(cert: X509Certificate, type: string): string[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  const out: string[] = [];
  // Entries are separated by ", "; a quoted value may contain that.
  const re = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (let m = re.exec(text); m !== null && m[0] !== ''; m = re.exec(text)) {
    if (m[1] !== type) continue;
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push(value);
  }
  return out;
}

function sameIp(expected: string, actual: string): boolean {
  const family = isIP(expected);
  if (family === 0 || isIP(actual) !== family) return false;
  const list = new BlockList();
  list.addAddress(expected, family === 6 ? 'ipv6' : 'ipv4');
  return list.check(actual, family === 6 ? 'ipv6' : 'ipv4');
}

/** Node prints IPv6 SANs in full upper-case hex groups (`2001:DB8:0:0:0:0:0:1`), which isIP accepts. */
const certificateIps = (cert: X509Certificate) => sanEntries(cert, 'IP Address');

/**
 * Which registered subject the certificate fails to match, or undefined when
 * it matches. A client registers exactly one (config/mtls-checks.ts).
 */
export function subjectMismatch(client: Client, cert: X509Certificate): string | undefined {
  if (client.tlsClientAuthSubjectDn !== undefined) {
    return sameDn(parseDn(client.tlsClientAuthSubjectDn), certificateDn(cert)) ? undefined : 'subject DN differs from tls_client_auth_subject_dn';
  }
  if (client.tlsClientAuthSanDns !== undefined) {
    const want = client.tlsClientAuthSanDns.toLowerCase();
    return sanEntries(cert, 'DNS').some((d) => d.toLowerCase() === want) ? undefined : 'no dNSName SAN equals tls_client_auth_san_dns';
  }
  if (client.tlsClientAuthSanUri !== undefined) {
    return sanEntries(cert, 'URI').includes(client.tlsClientAuthSanUri) ? undefined : 'no URI SAN equals tls_client_auth_san_uri';
  }
  if (client.tlsClientAuthSanIp !== undefined) {
    const want = client.tlsClientAuthSanIp;
    return certificateIps(cert).some((ip) => sameIp(want, ip)) ? undefined : 'no iPAddress SAN equals tls_client_auth_san_ip';
  }
  if (client.tlsClientAuthSanEmail !== undefined) {
    // RFC 5280 §4.2.1.6: the local part is case-sensitive, the domain is not; compared exactly but the domain.
    const [local, domain = ''] = client.tlsClientAuthSanEmail.split(/@(?=[^@]*$)/);
    const ok = sanEntries(cert, 'email').some((e) => {
      const [l, d = ''] = e.split(/@(?=[^@]*$)/);
      return l === local && d.toLowerCase() === domain.toLowerCase();
    });
    return ok ? undefined : 'no rfc822Name SAN equals tls_client_auth_san_email';
  }
  return 'the client registered no certificate subject';
}
