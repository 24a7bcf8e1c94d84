/**
 * The session check of a team server's HTTP layer: a request's session token comes in an
 * `Authorization: Bearer` header (scripts) or in the HttpOnly, `SameSite=Strict` cookie that
 * `team.login` sets (browsers: fetches, EventSource and the imagery's range reads all carry it).
 * The API call then runs as that user (team-backend.ts checks the role); `team.logout` clears
 * the cookie. On HTTPS the cookie is `Secure`.
 */
import type { IncomingMessage } from 'node:http';
import type { TeamBackend, TeamSession } from './team-backend.js';

/** What the HTTP server asks of a session gate (http-server.ts). */
export interface SessionGate {
  /** Runs one API call in the request's session (none when it carries no valid token). */
  call(req: IncomingMessage, run: () => Promise<unknown>): Promise<unknown>;
  /** The request carries a valid session (the event stream and file fetches need one). */
  admits(req: IncomingMessage): Promise<boolean>;
  /** A Set-Cookie header to send with a successful answer to `channel`, or null. */
  cookie(channel: string, result: unknown): string | null;
}

export class TeamGate implements SessionGate {
  readonly cookieName: string;

  constructor(
    private readonly backend: TeamBackend,
    port: number,
    private readonly secure: boolean,
  ) {
    this.cookieName = `landwatch_session_${port}`;
  }

  async call(req: IncomingMessage, run: () => Promise<unknown>): Promise<unknown> {
    return this.backend.within(await this.session(req), run);
  }

  async admits(req: IncomingMessage): Promise<boolean> {
    return (await this.session(req)) !== null;
  }

  cookie(channel: string, result: unknown): string | null {
    const flags = `Path=/; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
    if (channel === 'team.login') {
      const token = (result as { token: string }).token;
      return `${this.cookieName}=${token}; ${flags}`;
    }
    if (channel === 'team.logout') return `${this.cookieName}=; ${flags}; Max-Age=0`;
    return null;
  }

  private async session(req: IncomingMessage): Promise<TeamSession | null> {
    const token = this.token(req);
    if (!token) return null;
    const user = await this.backend.authenticate(token);
    return user ? { user, token } : null;
  }

  /** The Bearer token, else the session cookie. */
  private token(req: IncomingMessage): string | null {
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (auth) return auth[1];
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) {
        const value = part.slice(eq + 1).trim();
        return value || null;
      }
    }
    return null;
  }
}
