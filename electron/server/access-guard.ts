/**
 * Who may talk to `landwatch serve`. Every API call, event stream and file fetch must carry this
 * launch's random token and come from this server's own pages:
 *
 * - The token travels in an HttpOnly, `SameSite=Strict` cookie set with the page the server serves
 *   (so no script, and no other site, can read it, and the browser sends it on same-origin fetches,
 *   EventSource and geotiff.js range reads alike), or in an `X-LandWatch-Token` /
 *   `Authorization: Bearer` header for scripts.
 * - The page hands the cookie out only to clients on this machine (by the socket's address, not the
 *   Host header, which anyone can spoof). A browser on another machine (`--allow-remote`) opens the
 *   address `landwatch serve` prints, whose `?token=` sets the cookie.
 * - A foreign `Origin` (or `Referer`), or a `Sec-Fetch-Site` other than same-origin, is refused even
 *   with the cookie: another site, or another web app on this machine's other ports, cannot drive it.
 * - The Host header must name this server (DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export const TOKEN_HEADER = 'x-landwatch-token';

/** Hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function withPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class AccessGuard {
  /** The Set-Cookie / Cookie name; per port, so two servers on one machine keep their own. */
  readonly cookieName: string;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly tokenBytes: Buffer;

  /**
   * @param host the address the server is bound to (`0.0.0.0`/`::` = every interface)
   * @param port the port it listens on
   * @param token the launch's secret; default 32 random bytes
   */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly token: string = randomBytes(32).toString('base64url'),
    readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.cookieName = `landwatch_token_${port}`;
    this.tokenBytes = Buffer.from(token);
    const names = new Set(['localhost', '127.0.0.1', '[::1]', host]);
    if (isWildcard(host)) {
      names.add(hostname());
      for (const addrs of Object.values(networkInterfaces()))
        for (const a of addrs ?? []) names.add(a.address);
    }
    this.hosts = new Set([...names].map((h) => withPort(h.replace(/^\[|\]$/g, ''), port)));
    this.origins = new Set([...this.hosts].map((h) => `${scheme}://${h}`));
  }

  /**
   * The addresses to print: the bound one on loopback (the page hands its own token out there);
   * beyond loopback each reachable address (not link-local) with `?token=`, which a browser
   * elsewhere needs.
   */
  connectUrls(): string[] {
    if (isLoopbackHost(this.host)) return [`${this.scheme}://${withPort(this.host, this.port)}/`];
    const hosts = isWildcard(this.host)
      ? [...this.hosts].filter((h) => {
          const name = h.slice(0, h.lastIndexOf(':')).replace(/^\[|\]$/g, '');
          return !isLoopbackHost(name) && !isWildcard(name) && !/^fe80:/i.test(name);
        })
      : [withPort(this.host, this.port)];
    return hosts.map((h) => `${this.scheme}://${h}/?token=${this.token}`);
  }

  /** The Host header names this server (refuses DNS-rebinding names). */
  hostAllowed(req: IncomingMessage): boolean {
    return this.hosts.has((req.headers.host ?? '').toLowerCase());
  }

  /**
   * Why an API call or file fetch is refused (a 403), or null when it may go on: it must come from
   * this server's own origin and carry the token.
   */
  refusal(req: IncomingMessage): string | null {
    const foreign = this.originRefusal(req);
    if (foreign) return foreign;
    if (!this.hasToken(req))
      return 'Missing or wrong access token: open LandWatch from the address "landwatch serve" printed.';
    return null;
  }

  /**
   * Why a request from another site is refused, or null when it comes from this server's own
   * origin (a team server checks this, then the login session instead of the launch token).
   */
  originRefusal(req: IncomingMessage): string | null {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return `Refused a ${site} request: only LandWatch's own page may call its API.`;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin))
      return `Refused a request from origin ${origin}: only LandWatch's own page may call its API.`;
    if (origin === undefined && req.headers.referer !== undefined) {
      let from = 'null';
      try {
        from = new URL(req.headers.referer).origin;
      } catch {
        // an unparsable Referer is foreign
      }
      if (!this.origins.has(from))
        return `Refused a request referred by ${from}: only LandWatch's own page may call its API.`;
    }
    return null;
  }

  /** The request carries this launch's token (cookie, X-LandWatch-Token or Bearer). */
  hasToken(req: IncomingMessage): boolean {
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string' && this.matches(header)) return true;
    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (auth && this.matches(auth[1])) return true;
    return this.matches(this.cookieToken(req.headers.cookie));
  }

  /** A `?token=` in a page address is this launch's token. */
  matches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.tokenBytes.length && timingSafeEqual(given, this.tokenBytes);
  }

  /** The page may hand this client the token: it connects from this machine. */
  isLocalClient(req: IncomingMessage): boolean {
    const addr = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    return isLoopbackHost(addr);
  }

  /** The Set-Cookie header value that hands the page the token. */
  setCookie(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  private cookieToken(header: string | undefined): string | null {
    for (const part of (header ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) return part.slice(eq + 1).trim();
    }
    return null;
  }
}
