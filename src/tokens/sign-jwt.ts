/** Signs a JWT with the active key using jose's CompactSign (payload encoded once). */
import { CompactSign } from 'jose';
import type { SigningKey } from '../model/types.js';

const encoder = new TextEncoder();

export async function signJwt(payload: Record<string, unknown>, key: SigningKey, typ?: string): Promise<string> {
  const header: { alg: string; kid: string; typ?: string } = { alg: key.alg, kid: key.kid };
  if (typ) header.typ = typ;
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key.privateKey);
}
