/**
 * Software statements (RFC 7591 §2.3, §3.1.1): a JWT asserting client
 * metadata, signed by an issuer the operator trusts
 * (`registration.softwareStatements.issuers`, each with its JWK Set). Its
 * claims override the same fields of the request's plain metadata.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { RegistrationConfig } from '../config/registration-schema.js';
import { InvalidSoftwareStatement, UnapprovedSoftwareStatement } from '../errors.js';
import type { Clock } from '../model/types.js';
import { createOutboundFetch, trustedPolicy, type OutboundSettings } from '../net/index.js';
import { isCompactJws } from '../tokens/compact-jws.js';

const MAX_LENGTH = 16384;
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** JWT claims of the statement itself, not client metadata. */
const JWT_CLAIMS = ['iss', 'iat', 'exp', 'nbf', 'jti', 'aud', 'sub'];
/** Seconds an issuer's fetched JWK Set is reused. */
const JWKS_TTL = 300;

export interface SoftwareStatementVerifier {
  /** The statement's metadata claims; throws invalid_software_statement or unapproved_software_statement. */
  verify(statement: unknown): Promise<Record<string, unknown>>;
}

/** @example const claims = await softwareStatementVerifier(config.registration, config.outbound, clock).verify(body.software_statement); */
export function softwareStatementVerifier(settings: RegistrationConfig, outbound: OutboundSettings, clock: Clock): SoftwareStatementVerifier {
  const issuers = new Map(settings.softwareStatements.issuers.map((i) => [i.issuer, i]));
  // Operator-configured URLs: the trusted policy (any address), with the configured limits.
  const fetchOut = createOutboundFetch(trustedPolicy(outbound));
  const fetched = new Map<string, { keys: JSONWebKeySet; until: number }>();
  const keysOf = async (issuer: string): Promise<JSONWebKeySet> => {
    const entry = issuers.get(issuer);
    if (!entry) throw new UnapprovedSoftwareStatement(`$.software_statement: issuer ${JSON.stringify(issuer.slice(0, 100))} is not trusted`);
    if (entry.jwks) return entry.jwks;
    const cached = fetched.get(issuer);
    if (cached && cached.until > clock.now()) return cached.keys;
    try {
      const keys = (await fetchOut.json(entry.jwksUri as string)) as JSONWebKeySet;
      if (!Array.isArray(keys?.keys)) throw new Error('not a JWK Set');
      fetched.set(issuer, { keys, until: clock.now() + JWKS_TTL });
      return keys;
    } catch {
      throw new InvalidSoftwareStatement(`$.software_statement: the keys of issuer ${issuer.slice(0, 100)} could not be fetched`);
    }
  };
  return {
    async verify(statement) {
      if (typeof statement !== 'string' || statement.length > MAX_LENGTH || !isCompactJws(statement)) {
        throw new InvalidSoftwareStatement('$.software_statement: must be a signed JWT (RFC 7591 §2.3)');
      }
      let alg: unknown;
      let iss: unknown;
      try {
        alg = decodeProtectedHeader(statement).alg;
        iss = decodeJwt(statement).iss;
      } catch {
        throw new InvalidSoftwareStatement('$.software_statement: is not a readable JWT');
      }
      if (typeof alg !== 'string' || !ALGORITHMS.includes(alg))
        throw new InvalidSoftwareStatement(`$.software_statement: must be signed with one of ${ALGORITHMS.join(', ')}`);
      if (typeof iss !== 'string') throw new InvalidSoftwareStatement('$.software_statement: has no iss claim (RFC 7591 §2.3)');
      const jwks = await keysOf(iss);
      try {
        const { payload } = await jwtVerify(statement, createLocalJWKSet(jwks), {
          issuer: iss,
          algorithms: ALGORITHMS,
          currentDate: new Date(clock.now() * 1000),
          clockTolerance: 60,
        });
        return Object.fromEntries(Object.entries(payload).filter(([k]) => !JWT_CLAIMS.includes(k)));
      } catch {
        throw new InvalidSoftwareStatement('$.software_statement: the signature or the validity of the statement does not verify');
      }
    },
  };
}
