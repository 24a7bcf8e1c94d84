/**
 * `landwatch serve --team`: the team projects of one PostgreSQL database over the HTTP transport,
 * behind logins (team-gate.ts) and the role table (team-roles.ts).
 *
 * @example
 * const server = await startTeamServer({ db: 'postgres://lw@127.0.0.1/round7', port: 0 });
 * // POST /api/team.login {user, password} → {token, …}; then Authorization: Bearer <token>
 * await server.close();
 */
import { TeamUsers } from '../engine/team/team-users.js';
import { serveApi, type RunningServer, type ServeOptions } from './http-server.js';
import { TeamBackend } from './team-backend.js';
import { TeamGate } from './team-gate.js';

export interface TeamServeOptions extends ServeOptions {
  /** The team database (`postgres://user@host:port/db`). */
  db: string;
  /** Sessions end after this many idle minutes (fractions allowed; default 60). */
  idleMinutes?: number;
}

export async function startTeamServer(
  options: TeamServeOptions,
): Promise<RunningServer<TeamBackend>> {
  const users = await TeamUsers.open(options.db);
  try {
    const server = await serveApi(
      options,
      (host) =>
        new TeamBackend({
          url: options.db,
          users,
          fileUrl: (token) => host.fileUrl(token),
          ...(options.idleMinutes !== undefined ? { idleMinutes: options.idleMinutes } : {}),
        }),
      (backend, port, secure) => new TeamGate(backend, port, secure),
    );
    const close = server.close;
    return {
      ...server,
      close: async () => {
        await close();
        await users.close();
      },
    };
  } catch (error) {
    await users.close();
    throw error;
  }
}
