/**
 * The HTTP transport of the API contract, served by `landwatch serve` (and by `npm start` where no
 * Electron binary exists): `POST /api/<channel>` → JSON, `GET /api/events` → Server-Sent Events,
 * `GET /files/<token>` → registered files with HTTP range support (GeoTIFF/COG reads), and the built
 * renderer. Binds to loopback by default and refuses requests whose Host is not this server; every
 * API call and file fetch must carry the launch's access token and come from the server's own page
 * (access-guard.ts), and API calls must be `application/json` (no cross-site form posts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Backend, type Host } from '../engine/api/backend.js';
import type { FileTokens } from '../engine/api/file-tokens.js';
import type { ApiEvent } from '../common/contract.js';
import { toErrorBody } from '../engine/errors.js';
import { CONTENT_TYPES, contentSecurityPolicy } from '../common/web-policy.js';
import { AccessGuard } from './access-guard.js';
import {
  BodyTooLarge,
  MAX_BODY,
  isJson,
  readBody,
  sendFile,
  sendJson,
  tooLarge,
} from './http-io.js';

export { MAX_BODY } from './http-io.js';
import { httpHost } from './http-host.js';
import type { SessionGate } from './team-gate.js';

/** HTTP status of each error code; the rest (bad input files, models, …) are 422. */
const HTTP_STATUS: Partial<Record<string, number>> = {
  E_BAD_REQUEST: 400,
  E_UNAUTHENTICATED: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_RATE_LIMITED: 429,
  E_INTERNAL: 500,
};

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Folder of the built renderer (index.html). */
  staticDir?: string;
  log?: (line: string) => void;
  /** The access token; default a random one per launch (tests may fix it). */
  token?: string;
  /** PEM certificate and key: serve HTTPS (node:https) instead of HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** What the server needs of the backend behind it (the desktop's Backend, or a team's). */
export interface ApiBackend {
  readonly files: FileTokens;
  handle(channel: string, payload: unknown): Promise<unknown>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  dispose(): Promise<void>;
}

export interface RunningServer<B extends ApiBackend = Backend> {
  url: string;
  /** This launch's access token (scripts send it as X-LandWatch-Token). */
  token: string;
  /** Addresses to print for a browser to open (with `?token=` beyond loopback). */
  connectUrls: string[];
  backend: B;
  server: Server;
  close(): Promise<void>;
}

const CSP = contentSecurityPolicy();

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  return serveApi(options, (host) => new Backend(host));
}

/**
 * Serves a backend. With `makeGate` (a team server) API calls, the event stream and file fetches
 * need a login session instead of the launch token, and the page is served to every client (the
 * login form is its gate); the Host and Origin checks stay.
 */
export async function serveApi<B extends ApiBackend>(
  options: ServeOptions,
  makeBackend: (host: Host) => B,
  makeGate?: (backend: B, port: number, secure: boolean) => SessionGate,
): Promise<RunningServer<B>> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const backend: B = makeBackend(httpHost(() => backend.files));
  const staticDir = options.staticDir ? resolve(options.staticDir) : null;
  const sse = new Set<ServerResponse>();
  const unsubscribe = backend.onEvent((event) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sse) res.write(line);
  });
  let guard: AccessGuard | null = null;
  let gate: SessionGate | null = null;

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      log(`error: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: toErrorBody(error) });
      else res.end();
    });
  };
  const server: Server = options.tls
    ? (createHttpsServer(
        { cert: options.tls.cert, key: options.tls.key },
        serve,
      ) as unknown as Server)
    : createServer(serve);
  // curl and others ask before sending a large body: say 413 before it is sent at all.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      res.shouldKeepAlive = false;
      return tooLarge(res);
    }
    res.writeContinue();
    serve(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!guard || !guard.hostAllowed(req)) {
      return sendJson(res, 421, {
        error: { code: 'E_BAD_REQUEST', message: 'Unexpected Host header.' },
      });
    }
    let url: URL;
    let path: string;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      path = decodeURIComponent(url.pathname);
    } catch {
      return sendJson(res, 400, {
        error: { code: 'E_BAD_REQUEST', message: 'Malformed request path (bad percent-encoding).' },
      });
    }
    if (path.startsWith('/api/') || path.startsWith('/files/')) {
      const refusal = gate ? guard.originRefusal(req) : guard.refusal(req);
      if (refusal) return sendJson(res, 403, { error: { code: 'E_FORBIDDEN', message: refusal } });
      if (
        gate &&
        (path === '/api/events' || path.startsWith('/files/')) &&
        !(await gate.admits(req))
      )
        return sendJson(res, 401, {
          error: { code: 'E_UNAUTHENTICATED', message: 'Log in first (no valid session).' },
        });
    }
    if (path === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sse.add(res);
      req.on('close', () => sse.delete(res));
      return;
    }
    if (path.startsWith('/api/')) {
      const channel = path.slice(5);
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: { code: 'E_BAD_REQUEST', message: 'Use POST.' } });
      if (!isJson(req.headers['content-type'])) {
        return sendJson(res, 415, {
          error: {
            code: 'E_BAD_REQUEST',
            message: `${channel}: send the request body as Content-Type: application/json.`,
          },
        });
      }
      let payload: unknown;
      try {
        const text = await readBody(req);
        payload = text.length === 0 ? {} : JSON.parse(text);
      } catch (error) {
        if (error instanceof BodyTooLarge) return tooLarge(res);
        const message = (error as Error).message;
        return sendJson(res, 400, {
          error: {
            code: 'E_BAD_REQUEST',
            message: `${channel}: request body is not valid JSON (${message}).`,
          },
        });
      }
      try {
        const result = gate
          ? await gate.call(req, () => backend.handle(channel, payload))
          : await backend.handle(channel, payload);
        const cookie = gate?.cookie(channel, result);
        return sendJson(res, 200, result ?? null, cookie ? { 'Set-Cookie': cookie } : {});
      } catch (error) {
        const body = toErrorBody(error);
        const status = HTTP_STATUS[body.code] ?? 422;
        return sendJson(res, status, { error: body });
      }
    }
    if (path.startsWith('/files/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const token = path.slice('/files/'.length);
      if (!backend.files.has(token))
        return sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: 'No such file.' } });
      return sendFile(req, res, backend.files.pathOf(token), url.searchParams.has('download'));
    }
    if (staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
      const given = gate ? null : url.searchParams.get('token');
      return serveStatic(req, res, staticDir, path, given, gate ? null : guard);
    }
    sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: `Nothing at ${path}.` } });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  guard = new AccessGuard(host, port, options.token, scheme);
  gate = makeGate?.(backend, port, scheme === 'https') ?? null;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${scheme}://${shownHost}:${port}/`,
    token: guard.token,
    connectUrls: guard.connectUrls(),
    backend,
    server,
    close: async () => {
      unsubscribe();
      for (const res of sse) res.end();
      await backend.dispose();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * The built renderer. Its pages hand the access cookie to clients on this machine; a browser
 * elsewhere arrives with `?token=` (printed by `landwatch serve`), which sets the cookie and is
 * then dropped from the address. A team server (`guard` null) serves it to everyone: its API
 * needs a login, not the launch token.
 */
function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  staticDir: string,
  path: string,
  given: string | null,
  guard: AccessGuard | null,
): void {
  if (guard && given !== null) {
    if (!guard.matches(given))
      return sendJson(res, 403, { error: { code: 'E_FORBIDDEN', message: 'Wrong access token.' } });
    res.writeHead(303, {
      Location: path,
      'Set-Cookie': guard.setCookie(),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    return void res.end();
  }
  if (guard && !guard.isLocalClient(req) && !guard.hasToken(req)) {
    const message =
      'Open LandWatch from the address "landwatch serve" printed (it carries the token).';
    return sendJson(res, 403, { error: { code: 'E_FORBIDDEN', message } });
  }
  const rel = path === '/' ? 'index.html' : path.slice(1);
  const file = normalize(join(staticDir, rel));
  if (!file.startsWith(staticDir + sep) || !existsSync(file) || !statSync(file).isFile())
    return sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: `Nothing at ${path}.` } });
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  if (extname(file) === '.html') {
    if (guard) res.setHeader('Set-Cookie', guard.setCookie());
    res.setHeader('Cache-Control', 'no-store');
  }
  res.writeHead(200);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
