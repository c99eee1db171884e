/**
 * Sign in with Apple: the client secret is a JWT signed with ES256 by the
 * developer's key (Apple, "Creating a client secret"): iss = team id, sub =
 * client id (the Services ID), aud = https://appleid.apple.com, kid = key id,
 * at most six months valid. Made fresh for each token request, valid briefly.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';

export interface AppleKey {
  teamId: string;
  keyId: string;
  privateKeyPem: string;
}

export async function appleClientSecret(key: AppleKey, clientId: string, now: number, lifetime = 300): Promise<string> {
  const privateKey = createPrivateKey(key.privateKeyPem);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.keyId })
    .setIssuer(key.teamId)
    .setSubject(clientId)
    .setAudience('https://appleid.apple.com')
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .sign(privateKey);
}
