/**
 * Team users on PostgreSQL: scrypt password hashes (salted, never the password), roles, login
 * with a session token (only its hash stored), wrong passwords and idle tokens refused, and the
 * `landwatch team user` commands.
 */
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runTeamCommand } from '../../../electron/cli/team-command.js';
import { hashPassword, verifyPassword } from '../../../electron/engine/team/password.js';
import { TeamUsers } from '../../../electron/engine/team/team-users.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

describe('password hashes', () => {
  it('are salted scrypt and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{86}==$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain-text')).toBe(false);
  });
});

describe.skipIf(skip !== null)(`team users on PostgreSQL${skip ? ` (${skip})` : ''}`, () => {
  it('adds users with roles, logs in with tokens, refuses wrong and idle ones', async () => {
    const url = await (cluster as { createDatabase(): Promise<string> }).createDatabase();
    const users = await TeamUsers.open(url);
    try {
      await users.add('alice', 'analyst', 'alice-passphrase');
      await expect(users.add('alice', 'viewer', 'another-passphrase')).rejects.toThrow(
        /already exists/,
      );
      await expect(users.add('bob', 'admin', 'bob-passphrase')).rejects.toThrow(
        /role "admin" is not one of analyst, supervisor, viewer/,
      );
      await expect(users.add('bob', 'viewer', 'short')).rejects.toThrow(/at least 10/);
      await expect(users.login('alice', 'wrong-passphrase')).rejects.toThrow(
        /wrong user name or password/,
      );
      await expect(users.login('nobody', 'alice-passphrase')).rejects.toThrow(
        /wrong user name or password/,
      );
      const { token, user } = await users.login('alice', 'alice-passphrase');
      expect(user.role).toBe('analyst');
      expect(await users.authenticate(token)).toMatchObject({ name: 'alice', role: 'analyst' });
      expect(await users.authenticate(`${token}x`)).toBeNull();
      await users.setRole('alice', 'supervisor');
      expect((await users.authenticate(token))?.role).toBe('supervisor');
      // Idle longer than allowed: refused and removed.
      expect(await users.authenticate(token, 0)).toBeNull();
      expect(await users.authenticate(token)).toBeNull();
      const again = await users.login('alice', 'alice-passphrase');
      await users.passwd('alice', 'new-alice-passphrase');
      expect(await users.authenticate(again.token)).toBeNull(); // sessions end with the password
      await expect(users.login('alice', 'alice-passphrase')).rejects.toThrow(/wrong/);
      expect((await users.login('alice', 'new-alice-passphrase')).user.name).toBe('alice');
      // Only hashes are stored.
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const stored = await db.query(
        'SELECT u.password_hash, s.token_sha256 FROM landwatch_team.users u JOIN landwatch_team.sessions s ON s.user_name = u.name',
      );
      await db.end();
      expect(stored.rows[0].password_hash).toMatch(/^scrypt\$/);
      expect(stored.rows[0].token_sha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await users.close();
    }
  });

  it('runs `landwatch team user add|passwd|role|list`', async () => {
    const url = await (cluster as { createDatabase(): Promise<string> }).createDatabase();
    const lines: string[] = [];
    const run = (args: string[], stdin = '') =>
      runTeamCommand(args, { stdin: Readable.from([stdin]), out: (l) => lines.push(l) });
    expect(
      await run(['user', 'add', 'carol', '--role', 'viewer', '--db', url], 'carol-passphrase\n'),
    ).toBe(0);
    expect(await run(['user', 'role', 'carol', 'analyst', '--db', url])).toBe(0);
    expect(await run(['user', 'passwd', 'carol', '--db', url], 'carol-new-passphrase\n')).toBe(0);
    expect(await run(['user', 'list', '--db', url])).toBe(0);
    expect(lines.slice(0, 3)).toEqual([
      'added carol (viewer)',
      'carol is now analyst',
      'password of carol changed; their sessions ended',
    ]);
    expect(lines[3]).toMatch(/^carol\tanalyst\t\d{4}-/);
    await expect(run(['user', 'add', 'dave', '--role', 'analyst', '--db', url])).rejects.toThrow(
      /no password on standard input/,
    );
    await expect(run(['user', 'role', 'zed', 'viewer', '--db', url])).rejects.toThrow(
      /no user "zed"/,
    );
    await expect(run(['user', 'add', 'x', '--role', 'viewer'])).rejects.toThrow(/--db/);
    const users = await TeamUsers.open(url);
    try {
      expect((await users.login('carol', 'carol-new-passphrase')).user.role).toBe('analyst');
    } finally {
      await users.close();
    }
  });
});
