/**
 * The users of a team database and their roles: analyst (reviews and edits patches), supervisor
 * (also assigns work, second-checks and overrides), viewer (reads only). They live in the
 * `landwatch_team` schema, shared by every project (schema) in the database. Passwords are
 * stored as scrypt hashes (password.ts); a login hands out a random session token of which only
 * the SHA-256 is stored, valid until it has been idle for `idleMinutes`.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { LandWatchError } from '../errors.js';
import { hashPassword, verifyPassword } from './password.js';

export const ROLES = ['analyst', 'supervisor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface TeamUser {
  name: string;
  role: Role;
  createdAt: string;
}

const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS landwatch_team;
  CREATE TABLE IF NOT EXISTS landwatch_team.users (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role text NOT NULL CHECK (role IN ('analyst', 'supervisor', 'viewer')),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS landwatch_team.sessions (
    token_sha256 text PRIMARY KEY,
    user_name text NOT NULL REFERENCES landwatch_team.users(name) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now()
  );`;

/** Minimum password length; longer passphrases beat character rules. */
export const MIN_PASSWORD = 10;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role))
    throw new LandWatchError('E_BAD_REQUEST', `role "${role}" is not one of ${ROLES.join(', ')}.`);
  return role as Role;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `the password is too short: use at least ${MIN_PASSWORD} characters (a passphrase is best).`,
    );
}

/** Users, roles and sessions of one team database. */
export class TeamUsers {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects and makes the users' tables when they are missing. */
  static async open(url: string): Promise<TeamUsers> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    try {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', ['landwatch_team']);
        await client.query(SCHEMA);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['landwatch_team']);
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new TeamUsers(pool);
  }

  async add(name: string, role: string, password: string): Promise<TeamUser> {
    const r = checkRole(role);
    checkPassword(password);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name))
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `user name "${name}": use letters, digits and . _ @ - (at most 64).`,
      );
    const hash = await hashPassword(password);
    const res = await this.pool.query(
      `INSERT INTO landwatch_team.users (name, role, password_hash) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name, role, created_at`,
      [name, r, hash],
    );
    if (res.rows.length === 0)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `user "${name}" already exists (use passwd or role).`,
      );
    return { name, role: r, createdAt: (res.rows[0].created_at as Date).toISOString() };
  }

  /** Sets a new password and ends the user's sessions. */
  async passwd(name: string, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    const res = await this.pool.query(
      `UPDATE landwatch_team.users SET password_hash = $2, password_changed_at = now()
       WHERE name = $1`,
      [name, hash],
    );
    if (res.rowCount === 0) throw this.unknown(name);
    await this.pool.query('DELETE FROM landwatch_team.sessions WHERE user_name = $1', [name]);
  }

  async setRole(name: string, role: string): Promise<void> {
    const res = await this.pool.query('UPDATE landwatch_team.users SET role = $2 WHERE name = $1', [
      name,
      checkRole(role),
    ]);
    if (res.rowCount === 0) throw this.unknown(name);
  }

  async list(): Promise<TeamUser[]> {
    const res = await this.pool.query(
      'SELECT name, role, created_at FROM landwatch_team.users ORDER BY name',
    );
    return res.rows.map((r) => ({
      name: r.name as string,
      role: r.role as Role,
      createdAt: (r.created_at as Date).toISOString(),
    }));
  }

  /**
   * Checks a password and opens a session; the token goes to the client, only its hash is kept.
   * A wrong name and a wrong password get the same answer (and take the same time).
   */
  async login(name: string, password: string): Promise<{ token: string; user: TeamUser }> {
    const res = await this.pool.query(
      'SELECT name, role, created_at, password_hash FROM landwatch_team.users WHERE name = $1',
      [name],
    );
    const row = res.rows[0];
    // Unknown users are checked against a throwaway hash, so timing does not tell them apart.
    const ok = await verifyPassword(password, row?.password_hash ?? (await hashPassword('x')));
    if (!row || !ok) throw new LandWatchError('E_BAD_REQUEST', 'wrong user name or password.');
    const token = randomBytes(32).toString('base64url');
    await this.pool.query(
      'INSERT INTO landwatch_team.sessions (token_sha256, user_name) VALUES ($1, $2)',
      [sha256(token), name],
    );
    return {
      token,
      user: { name, role: row.role as Role, createdAt: (row.created_at as Date).toISOString() },
    };
  }

  /**
   * The user behind a session token, or null when the token is unknown or has been idle for
   * more than `idleMinutes` (fractions allowed; then it is removed); a valid use counts as activity.
   * The role is read afresh each time, so `team user role` applies at once. `last_seen` is
   * written only when it is older than a tenth of the idle time (at most 5 s), so most requests
   * read without writing.
   */
  async authenticate(token: string, idleMinutes = 60): Promise<TeamUser | null> {
    const res = await this.pool.query(
      `WITH live AS (
         SELECT s.token_sha256, s.last_seen, u.name, u.role, u.created_at
         FROM landwatch_team.sessions s JOIN landwatch_team.users u ON u.name = s.user_name
         WHERE s.token_sha256 = $1
           AND s.last_seen > now() - make_interval(secs => $2::float8 * 60)
       ), touched AS (
         UPDATE landwatch_team.sessions t SET last_seen = now() FROM live
         WHERE t.token_sha256 = live.token_sha256
           AND live.last_seen < now() - make_interval(secs => LEAST(5, $2::float8 * 6))
       )
       SELECT name, role, created_at FROM live`,
      [sha256(token), idleMinutes],
    );
    const row = res.rows[0];
    if (!row) {
      await this.pool.query(
        `DELETE FROM landwatch_team.sessions
         WHERE token_sha256 = $1 AND last_seen <= now() - make_interval(secs => $2::float8 * 60)`,
        [sha256(token), idleMinutes],
      );
      return null;
    }
    return {
      name: row.name as string,
      role: row.role as Role,
      createdAt: (row.created_at as Date).toISOString(),
    };
  }

  /** Removes the sessions idle for more than `idleMinutes` (they could never be used again). */
  async pruneSessions(idleMinutes: number): Promise<number> {
    const res = await this.pool.query(
      'DELETE FROM landwatch_team.sessions WHERE last_seen <= now() - make_interval(secs => $1::float8 * 60)',
      [idleMinutes],
    );
    return res.rowCount ?? 0;
  }

  async logout(token: string): Promise<void> {
    await this.pool.query('DELETE FROM landwatch_team.sessions WHERE token_sha256 = $1', [
      sha256(token),
    ]);
  }

  private unknown(name: string): LandWatchError {
    return new LandWatchError('E_NOT_FOUND', `no user "${name}" in this team.`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
