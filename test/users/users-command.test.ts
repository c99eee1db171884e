import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runUsersCommand } from '../../src/cli/users.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { createUserService } from '../../src/users/user-service.js';

describe('gatehouse users (end to end on a sqlite file)', () => {
  let dir: string;
  let config: Config;
  let out: string[];
  let err: string[];
  const run = (args: string[], stdin?: string[]) =>
    runUsersCommand(args, {
      config,
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      stdin:
        stdin &&
        (async function* () {
          yield* stdin;
        })(),
    });
  const login = async (username: string, password: string) => {
    const backend = await createSqliteBackend({ path: join(dir, 'data', 'gatehouse.db') });
    try {
      return await createUserService({ config, backend, clock: { now: () => 1000 } }).login(username, password);
    } finally {
      await backend.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-users-'));
    config = configSchema.parse({
      server: { dataDir: join(dir, 'data') },
      users: [{ subjectId: 'cfg-1', username: 'tina', password: 'x' }],
    });
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a user with claims, lists it, changes the password', async () => {
    const code = await run([
      'add',
      'alice',
      '--password',
      'pw-1',
      '--sub',
      'sub-a',
      '--claim',
      'email=a@example.com',
      '--claim',
      'email_verified=true',
      '--claim',
      'zip=01234',
      '--claim',
      'roles=["admin"]',
    ]);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual(['added user "alice" with subject sub-a']);
    expect(await login('alice', 'pw-1')).toEqual({
      ok: true,
      user: { subjectId: 'sub-a', username: 'alice', isActive: true, claims: { email: 'a@example.com', email_verified: true, zip: '01234', roles: ['admin'] } },
    });

    out = [];
    expect(await run(['users', 'list'])).toBe(0);
    expect(out[0].split('\n')).toEqual(['subject\tusername\tstatus\tsource', 'cfg-1\ttina\tactive\tconfig', 'sub-a\talice\tactive\tdatabase']);

    expect(await run(['set-password', 'alice', '--password-stdin'], ['pw-2\n'])).toBe(0);
    expect(out.at(-1)).toBe('password of "alice" changed');
    expect((await login('alice', 'pw-1')).ok).toBe(false);
    expect((await login('alice', 'pw-2')).ok).toBe(true);
  });

  it('reads the password from stdin and generates a subject', async () => {
    expect(await run(['add', 'bob', '--password-stdin'], ['s3cr', 'et\r\n'])).toBe(0);
    expect(out[0]).toMatch(/^added user "bob" with subject [0-9a-f-]{36}$/);
    expect((await login('bob', 's3cret')).ok).toBe(true);
  });

  it('fails with readable messages', async () => {
    await run(['add', 'alice', '--password', 'pw']);
    const cases: [string[], RegExp][] = [
      [['add', 'alice', '--password', 'pw'], /a user named "alice" already exists/],
      [['add', 'carol'], /a password is required/],
      [['add', 'carol', '--password', 'a', '--password-stdin'], /either --password or --password-stdin/],
      [['add', 'carol', '--password', 'a', '--claim', 'novalue'], /--claim expects name=value/],
      [['add', 'carol', '--password', 'a', '--bogus'], /Unknown option '--bogus'/],
      [['add', '--password', 'a'], /expects one username/],
      [['add', 'tina', '--password', 'a'], /configured test user/],
      [['set-password', 'nobody', '--password', 'a'], /no user named "nobody"/],
      [['set-password', 'alice', '--password', 'a', '--sub', 's'], /Unknown option '--sub'/],
      [['remove', 'alice'], /unknown command: users remove/],
      [[], /usage:/],
    ];
    for (const [args, message] of cases) {
      err = [];
      expect(await run(args), args.join(' ')).toBe(1);
      expect(err.join('\n')).toMatch(message);
    }
    err = [];
    out = [];
    expect(await run(['help'])).toBe(0);
    expect(out[0]).toMatch(/usage:/);
  });

  it('refuses to add users to the memory store', async () => {
    config = configSchema.parse({ store: { type: 'memory' } });
    expect(await run(['add', 'alice', '--password', 'pw'])).toBe(1);
    expect(err[0]).toMatch(/memory/);
    expect(await run(['list'])).toBe(0);
    expect(out).toEqual(['no users']);
  });
});
