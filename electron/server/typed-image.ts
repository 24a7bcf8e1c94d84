/**
 * The web app's stand-in for a file dialog: the user types the path of an image, and only a file a
 * dialog could sensibly have offered is registered (and so served back under `/files/`):
 *
 * - inside an allowed folder — the user's home, LandWatch's data folder, the folder `landwatch
 *   serve` was started in, and any listed in `LANDWATCH_FILE_ROOTS` (separated by `:`, `;` on
 *   Windows) — after following symbolic links; never the file system root or a system folder;
 * - named `.tif` / `.tiff`, and starting with a TIFF or BigTIFF header.
 *
 * The Electron app's native dialog is not restricted: the user chose the file there.
 */
import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, extname, resolve, sep } from 'node:path';
import { LandWatchError } from '../engine/errors.js';
import { typedLocalPath } from '../engine/api/typed-path.js';
import { dataHome } from '../engine/paths.js';

/** Folders never allowed as roots, nor anything under them. */
const SYSTEM = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/usr',
  '/var/lib',
];

const TIFF_MAGIC = ['49492a00', '4d4d002a', '49492b00', '4d4d002b'];

function isSystem(path: string): boolean {
  if (resolve(path) === resolve(sep)) return true;
  return SYSTEM.some((s) => path === s || path.startsWith(s + sep));
}

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** The folders typed image paths must lie in (real paths, system folders left out). */
export function imageRoots(startDir = process.cwd()): string[] {
  const listed = (process.env.LANDWATCH_FILE_ROOTS ?? '').split(delimiter).filter(Boolean);
  const roots = [homedir(), dataHome(), startDir, ...listed]
    .map(real)
    .filter((r): r is string => r !== null && !isSystem(r));
  return [...new Set(roots)];
}

function startsWithTiffHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && TIFF_MAGIC.includes(head.toString('hex'));
  } finally {
    closeSync(fd);
  }
}

/**
 * The typed path of a `role` image, checked as the module comment says; resolves symbolic links.
 *
 * @param roots - the allowed folders; default {@link imageRoots}
 */
export function typedImagePath(
  typedPath: string | undefined,
  role: string,
  roots: string[] = imageRoots(),
): string {
  if (!typedPath)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `Type the path of the ${role} GeoTIFF on this machine.`,
    );
  // Where the path leads is checked before whether it exists: nothing is said about other folders.
  const file = real(resolve(typedPath)) ?? resolve(typedPath);
  const inside = roots.some((r) => file.startsWith(r.endsWith(sep) ? r : r + sep));
  if (!inside || isSystem(file)) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${typedPath}: outside the folders LandWatch may open (${roots.join(', ')}); add a folder with LANDWATCH_FILE_ROOTS.`,
    );
  }
  typedLocalPath(file, 'file', '');
  if (!['.tif', '.tiff'].includes(extname(file).toLowerCase()) || !startsWithTiffHeader(file))
    throw new LandWatchError('E_NOT_TIFF', `${typedPath}: not a TIFF file (.tif/.tiff expected).`);
  return file;
}
