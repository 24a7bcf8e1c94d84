/**
 * Where LandWatch finds its bundled resources (models) and keeps its data (demo project, settings).
 * Works from the TypeScript sources, from the esbuild bundles in dist/, and in a packaged app where
 * the Electron main process points LANDWATCH_MODELS at the unpacked resources.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json (the repository or the unpacked app). */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (isLandWatchPackage(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function bundledModelsDir(): string {
  return process.env.LANDWATCH_MODELS ?? join(appRoot(), 'models');
}

/**
 * The shipped demo pair (resources/demo: two GeoTIFFs, true changes, source and licence);
 * LANDWATCH_DEMO overrides it (the packaged app points it at its resources).
 */
export function bundledDemoDir(): string {
  return process.env.LANDWATCH_DEMO ?? join(appRoot(), 'resources', 'demo');
}

/** Per-user data folder; LANDWATCH_HOME overrides it (tests use a temporary one). */
export function dataHome(): string {
  const base =
    process.env.LANDWATCH_HOME ??
    (process.platform === 'win32'
      ? join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'LandWatch')
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Application Support', 'LandWatch')
        : join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'landwatch'));
  const dir = resolve(base);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function userModelsDir(): string {
  return join(dataHome(), 'models');
}

function isLandWatchPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'landwatch';
  } catch {
    return false;
  }
}
