/**
 * What the backend needs from its host when it is served over HTTP: there are no native dialogs,
 * so the user types the path of an image on this machine (only TIFFs inside the user's folders:
 * typed-image.ts), and exports are written to the data home and offered back as download URLs (a
 * Shapefile's parts, or a CSV with its .csvt and .prj sidecars, zipped together).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FileTokens } from '../engine/api/file-tokens.js';
import type { Host } from '../engine/api/backend.js';
import { typedLocalPath } from '../engine/api/typed-path.js';
import { dataHome } from '../engine/paths.js';
import { typedImagePath } from './typed-image.js';
import { zipWithSidecars } from './zip.js';

export function httpHost(files: () => FileTokens): Host {
  return {
    transport: 'http',
    pickImage: async (role, typedPath) => typedImagePath(typedPath, role),
    pickModelFolder: async (typedPath) =>
      typedLocalPath(
        typedPath,
        'folder',
        'Type the path of a model folder (card.json + ONNX file) on this machine.',
      ),
    fileUrl: (token) => `/files/${token}`,
    exportTarget: async (defaultName) => {
      const dir = join(dataHome(), 'exports', new Date().toISOString().replace(/[:.]/g, '-'));
      mkdirSync(dir, { recursive: true });
      return {
        path: join(dir, defaultName),
        location: (path) => {
          // Shapefiles and CSVs are several files (.csvt, .prj …): one zip, as the CLI writes them.
          const served = zipWithSidecars(path);
          return `/files/${files().register(served).token}?download=1`;
        },
      };
    },
  };
}
