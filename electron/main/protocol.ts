/**
 * The app's own protocol: landwatch://app/… serves the built renderer (with a strict CSP) and
 * landwatch://files/<token> serves files the user chose, with HTTP range support so OpenLayers and
 * geotiff.js read GeoTIFFs and COGs window by window instead of whole.
 */
import { protocol } from 'electron';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Backend } from '../engine/api/backend.js';
import { appRoot } from '../engine/paths.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' landwatch:; worker-src 'self' blob:; font-src 'self'; base-uri 'none'; form-action 'none'";
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: 'landwatch',
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        stream: true,
        corsEnabled: true,
      },
    },
  ]);
}

export function setupProtocol(backend: Backend): void {
  const rendererDir = join(appRoot(), 'dist', 'renderer');
  protocol.handle('landwatch', (request) => {
    const url = new URL(request.url);
    if (url.host === 'app') {
      const file = normalize(join(rendererDir, decodeURIComponent(url.pathname)));
      if (!file.startsWith(rendererDir + sep) || !existsSync(file))
        return new Response('not found', { status: 404 });
      return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
        headers: {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': CSP,
        },
      });
    }
    if (url.host === 'files') {
      const token = url.pathname.slice(1);
      if (!backend.files.has(token)) return new Response('not found', { status: 404 });
      return fileResponse(backend.files.pathOf(token), request.headers.get('range'));
    }
    return new Response('not found', { status: 404 });
  });
}

function fileResponse(path: string, range: string | null): Response {
  const size = statSync(path).size;
  const m = /^bytes=(\d*)-(\d*)$/.exec(range ?? '');
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    const end = Math.min(size - 1, m[1] && m[2] ? Number(m[2]) : size - 1);
    if (start > end)
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
    return new Response(Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream, {
      status: 206,
      headers: {
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Content-Length': String(end - start + 1),
        'Accept-Ranges': 'bytes',
      },
    });
  }
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
    headers: { 'Content-Length': String(size), 'Accept-Ranges': 'bytes' },
  });
}
