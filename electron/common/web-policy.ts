/**
 * What both ways of serving the UI share — the app protocol in the desktop app and the HTTP server
 * of `landwatch serve`: the Content-Security-Policy, content types, and byte-range parsing for the
 * range reads geotiff.js makes of GeoTIFFs and COGs.
 */

/** The renderer's CSP; `connectExtra` adds sources the transport needs (e.g. `landwatch:`). */
export function contentSecurityPolicy(connectExtra = ''): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${connectExtra ? ` ${connectExtra}` : ''}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * A single `bytes=` range of a file of `size` bytes: null when there is no (usable) range header
 * and the whole file should be sent, 'unsatisfiable' for a 416.
 */
export function parseByteRange(
  header: string | null | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (!m[1] && !m[2])) return null;
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = Math.min(size - 1, m[1] && m[2] ? Number(m[2]) : size - 1);
  return start > end ? 'unsatisfiable' : { start, end };
}
