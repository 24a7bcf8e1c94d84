/**
 * The backend's Host as the HTTP transport has it, for tests that drive `Backend.handle` directly:
 * typed paths are taken as given (null when none), file URLs are `/files/<token>`, and exports go
 * to `exportDir` (or are cancelled when there is none).
 */
import { join } from 'node:path';
import type { Host } from '../../electron/engine/api/backend.js';

export function testHost(exportDir?: string): Host {
  return {
    transport: 'http',
    pickImage: async (_role, path) => path ?? null,
    pickModelFolder: async (path) => path ?? null,
    fileUrl: (token) => `/files/${token}`,
    exportTarget: async (name) =>
      exportDir ? { path: join(exportDir, name), location: (p) => p } : null,
  };
}
