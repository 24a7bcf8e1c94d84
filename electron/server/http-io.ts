/**
 * Reading requests and writing answers for the HTTP transport (http-server.ts): bounded JSON
 * bodies, JSON answers, and files with single-range support (what geotiff.js and COG readers ask
 * for).
 */
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sep } from 'node:path';
import { parseByteRange } from '../common/web-policy.js';

/** The largest API request body; API payloads are small JSON (a patch's geometry at most). */
export const MAX_BODY = 4 * 1024 * 1024;
/** A body past MAX_BODY is read and thrown away up to this size (so the client reads the 413). */
const MAX_DRAIN = 256 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/** `application/json`, with or without parameters; anything else could be a cross-site form. */
export function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

export function tooLarge(res: ServerResponse): void {
  sendJson(res, 413, {
    error: {
      code: 'E_BAD_REQUEST',
      message: `Request body larger than ${MAX_BODY / (1024 * 1024)} MB.`,
    },
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * The request body as text. One past MAX_BODY rejects with BodyTooLarge once it has been read to
 * its end (thrown away), so the client gets the 413 instead of a reset connection; past MAX_DRAIN
 * the connection is dropped.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (size > MAX_DRAIN) req.destroy();
      else chunks.length = 0;
    });
    req.on('end', () =>
      size > MAX_BODY ? fail(new BodyTooLarge()) : ok(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', fail);
  });
}

/** Serves a file with single-range support (what geotiff.js and COG readers ask for). */
export function sendFile(
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
