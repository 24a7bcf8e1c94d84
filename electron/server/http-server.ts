/**
 * The HTTP transport of the API contract, served by `landwatch serve` (and by `npm start` where no
 * Electron binary exists): `POST /api/<channel>` → JSON, `GET /api/events` → Server-Sent Events,
 * `GET /files/<token>` → registered files with HTTP range support (GeoTIFF/COG reads), and the built
 * renderer. Binds to loopback by default and refuses requests whose Host is not this server.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Backend } from '../engine/api/backend.js';
import { toErrorBody } from '../engine/errors.js';
import { CONTENT_TYPES, contentSecurityPolicy, parseByteRange } from '../common/web-policy.js';
import { httpHost } from './http-host.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Folder of the built renderer (index.html). */
  staticDir?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  backend: Backend;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const CSP = contentSecurityPolicy();

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const backend: Backend = new Backend(httpHost(() => backend.files));
  const staticDir = options.staticDir ? resolve(options.staticDir) : null;
  const sse = new Set<ServerResponse>();
  const unsubscribe = backend.onEvent((event) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of sse) res.write(line);
  });
  let allowedHosts = new Set<string>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`error: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: toErrorBody(error) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      return sendJson(res, 421, {
        error: { code: 'E_BAD_REQUEST', message: 'Unexpected Host header.' },
      });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
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
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: { code: 'E_BAD_REQUEST', message: 'Use POST.' } });
      const channel = decodeURIComponent(path.slice(5));
      let payload: unknown;
      try {
        const text = await readBody(req);
        payload = text.length === 0 ? {} : JSON.parse(text);
      } catch (error) {
        const message = (error as Error).message;
        return sendJson(res, 400, {
          error: {
            code: 'E_BAD_REQUEST',
            message: `${channel}: request body is not valid JSON (${message}).`,
          },
        });
      }
      try {
        const result = await backend.handle(channel, payload);
        return sendJson(res, 200, result ?? null);
      } catch (error) {
        const body = toErrorBody(error);
        const status =
          body.code === 'E_BAD_REQUEST'
            ? 400
            : body.code === 'E_NOT_FOUND'
              ? 404
              : body.code === 'E_INTERNAL'
                ? 500
                : 422;
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
      const rel = path === '/' ? 'index.html' : decodeURIComponent(path.slice(1));
      const file = normalize(join(staticDir, rel));
      if (file.startsWith(staticDir + sep) && existsSync(file) && statSync(file).isFile()) {
        res.setHeader('Content-Security-Policy', CSP);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
        res.writeHead(200);
        if (req.method === 'HEAD') return void res.end();
        return void createReadStream(file).pipe(res);
      }
    }
    sendJson(res, 404, { error: { code: 'E_NOT_FOUND', message: `Nothing at ${path}.` } });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${shownHost}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  return {
    url: `http://${shownHost}:${port}/`,
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        fail(new Error('body larger than 1 MB'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

/** Serves a file with single-range support (what geotiff.js and COG readers ask for). */
function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  download: boolean,
): void {
  const size = statSync(file).size;
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': download ? 'application/octet-stream' : 'image/tiff',
    'Cache-Control': 'no-store',
  };
  if (download)
    headers['Content-Disposition'] =
      `attachment; filename="${encodeURIComponent(file.split(sep).pop() ?? 'file')}"`;
  const range = parseByteRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    return void res.end();
  }
  if (range) {
    const { start, end } = range;
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    if (req.method === 'HEAD') return void res.end();
    return void createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
