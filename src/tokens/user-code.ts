/**
 * User codes of the device authorization grant (RFC 8628 §6.1): short,
 * typed by a person, so drawn from a reduced alphabet (by default 20
 * consonants: no vowels, so no words; no look-alikes such as 0/O, 1/I),
 * shown in groups of four (`WDJB-MJHT`) and read back case-insensitively
 * with dashes and spaces ignored. Stored only as a hash, like every handle.
 */
import { randomInt } from 'node:crypto';
import { handleId } from './handles.js';

export interface UserCodeShape {
  alphabet: string;
  length: number;
}

/** A new user code, without separators (uniform over the alphabet: `randomInt` has no modulo bias). */
export function newUserCode(shape: UserCodeShape): string {
  let code = '';
  for (let i = 0; i < shape.length; i++) code += shape.alphabet[randomInt(shape.alphabet.length)];
  return code;
}

/**
 * The code as shown to the user: groups of four joined by dashes.
 *
 * @example
 * formatUserCode('WDJBMJHT'); // 'WDJB-MJHT'
 */
export function formatUserCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/**
 * What the user typed, normalised (RFC 8628 §6.1: case-insensitive, dashes
 * and spaces ignored); undefined when it cannot be a code of this shape.
 *
 * @example
 * normalizeUserCode(' wdjb-mjht ', shape); // 'WDJBMJHT'
 */
export function normalizeUserCode(input: string, shape: UserCodeShape): string | undefined {
  if (input.length > 64) return undefined;
  const code = input.toUpperCase().replace(/[\s-]+/g, '');
  if (code.length !== shape.length) return undefined;
  for (const ch of code) if (!shape.alphabet.includes(ch)) return undefined;
  return code;
}

/** The storage id of a (normalised) user code. */
export const userCodeId = (normalized: string): string => handleId(`user_code:${normalized}`);
