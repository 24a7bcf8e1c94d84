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
import { CONTENT_TYPES, contentSecurityPolicy, parseByteRange } from '../common/web-policy.js';

const CSP = contentSecurityPolicy('landwatch:');

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
          'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
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

function fileResponse(path: string, rangeHeader: string | null): Response {
  const size = statSync(path).size;
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  }
  if (range) {
    const { start, end } = range;
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
