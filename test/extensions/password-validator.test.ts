/**
 * The resource owner password validator seam (the password grant itself is
 * another issue): the default goes through the user store's login with
 * lockout; a host's validator replaces it on the provider.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceOwnerPasswordValidator } from '../../src/extensions/password-validator.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('resource owner password validator', () => {
  it("defaults to the user store's login, lockout included", async () => {
    s = await startTestServer({ mutate: (c) => void (c.authentication = { ...c.authentication, lockoutThreshold: 2 }) });
    const validator = s.gh.context.extensions.passwordValidator!;
    const client = s.gh.context.clients.find('interactive.confidential')!;
    expect(await validator.validate({ username: 'alice', password: 'alice', client })).toEqual({ ok: true, subjectId: '1', amr: ['pwd'] });
    expect(await validator.validate({ username: 'alice', password: 'x', client })).toMatchObject({ ok: false, error: 'invalid_grant' });
    await validator.validate({ username: 'alice', password: 'x', client });
    // Locked out now: the right password is refused too.
    expect((await validator.validate({ username: 'alice', password: 'alice', client })).ok).toBe(false);
  });

  it("is replaced by the host's validator", async () => {
    const host: ResourceOwnerPasswordValidator = { validate: async ({ username }) => ({ ok: true, subjectId: `ldap:${username}` }) };
    s = await startTestServer({ options: { resourceOwnerPasswordValidator: host } });
    expect(s.gh.context.extensions.passwordValidator).toBe(host);
  });
});
