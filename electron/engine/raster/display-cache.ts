/**
 * The display copies of a project's scenes (display-copy.ts), kept in a `display-cache` folder
 * next to the project file and keyed by the source's path, size and modification time: a scene is
 * decided once and, where it needs one, copied once; a changed source gets a new copy and its old
 * one is deleted. Copies being built are shared, so two projects on one scene build it once.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LandWatchError } from '../errors.js';
import { displayCopyReason, writeDisplayCopy, type DisplayCopyOptions } from './display-copy.js';
import { chooseBands } from './bands.js';
import { RasterSource, type RasterInfo } from './raster-source.js';

/** Where a scene is displayed from: the original, its display copy, or not yet known. */
export type DisplayState =
  { kind: 'direct' } | { kind: 'copy'; path: string } | { kind: 'pending'; reason: string | null };

/** Block cache while copying: one row of a tiled source's blocks, so each is decoded once. */
const MAX_COPY_CACHE = 256 * 1024 * 1024;

export class DisplayCache {
  /** Decisions by source key: 'direct', or the reason a copy is needed. */
  private readonly decided = new Map<
    string,
    { direct: true } | { direct: false; reason: string }
  >();
  private readonly building = new Map<string, Promise<DisplayState>>();
  /** Red, green, blue band numbers (1-based) by the file's wavelengths, by source key. */
  private readonly rgb = new Map<string, [number, number, number] | null>();

  /**
   * The bands to show as red, green and blue when the file names its bands' wavelengths (e.g.
   * Landsat or Sentinel stacks, whose first bands are blue or coastal): the same pick as
   * detection's (bands.ts). Null when the file does not say, or the scene cannot be read; the
   * map then shows the first three bands. Read from the header once per version of the file.
   */
  async displayBands(scenePath: string): Promise<[number, number, number] | null> {
    const key = sourceKey(scenePath);
    if (!key) return null;
    const known = this.rgb.get(key);
    if (known !== undefined) return known;
    let picked: [number, number, number] | null = null;
    try {
      const probe = await RasterSource.open(scenePath, undefined, { blockCacheBytes: 0 });
      try {
        picked = rgbByWavelength(probe.info);
      } finally {
        probe.close();
      }
    } catch {
      picked = null; // an unreadable scene is reported where it is read, not here
    }
    this.rgb.set(key, picked);
    return picked;
  }

  /**
   * What is known now, without reading the scene: `pending` until {@link ensure} has decided
   * (or finds the copy on disk from an earlier session).
   */
  state(scenePath: string, cacheDir: string): DisplayState {
    const key = sourceKey(scenePath);
    if (!key) return { kind: 'pending', reason: null };
    const copy = copyPath(cacheDir, scenePath, key);
    if (exists(copy)) return { kind: 'copy', path: copy };
    const decision = this.decided.get(key);
    if (decision?.direct) return { kind: 'direct' };
    return { kind: 'pending', reason: decision ? decision.reason : null };
  }

  /**
   * Decides how `scenePath` is displayed and builds its display copy when it needs one (progress
   * in rows; cancellable). Fails with the source's own error (naming the file) when it cannot be
   * read.
   */
  async ensure(
    scenePath: string,
    cacheDir: string,
    options: DisplayCopyOptions = {},
  ): Promise<DisplayState> {
    const known = this.state(scenePath, cacheDir);
    if (known.kind !== 'pending') return known;
    const key = sourceKey(scenePath);
    if (!key) {
      throw new LandWatchError('E_FILE_NOT_FOUND', `${scenePath}: file not found.`);
    }
    const running = this.building.get(key);
    if (running) return running;
    const work = this.build(scenePath, cacheDir, key, options).finally(() =>
      this.building.delete(key),
    );
    this.building.set(key, work);
    return work;
  }

  private async build(
    scenePath: string,
    cacheDir: string,
    key: string,
    options: DisplayCopyOptions,
  ): Promise<DisplayState> {
    const probe = await RasterSource.open(scenePath, options.signal, { blockCacheBytes: 0 });
    let reason: string | null;
    let cacheBytes: number;
    try {
      reason = displayCopyReason(await probe.storedLayout());
      const { width, bands } = probe.info;
      const block = probe.blockSize();
      cacheBytes = Math.min(MAX_COPY_CACHE, block.height * width * bands * 8);
    } finally {
      probe.close();
    }
    if (reason === null) {
      this.decided.set(key, { direct: true });
      return { kind: 'direct' };
    }
    this.decided.set(key, { direct: false, reason });
    mkdirSync(cacheDir, { recursive: true });
    const path = copyPath(cacheDir, scenePath, key);
    const source = await RasterSource.open(scenePath, options.signal, {
      blockCacheBytes: Math.max(cacheBytes, 24 * 1024 * 1024),
    });
    try {
      await writeDisplayCopy(source, path, options);
    } finally {
      source.close();
    }
    removeStaleCopies(cacheDir, scenePath, path);
    return { kind: 'copy', path };
  }
}

/** RGB by wavelength (1-based), only when the file's wavelengths decided it. */
function rgbByWavelength(info: RasterInfo): [number, number, number] | null {
  if (info.bands < 3) return null;
  const pick = chooseBands(info, 3);
  if (!pick.note.includes('by wavelength')) return null;
  const [r, g, b] = pick.bands.map((x) => x + 1);
  return [r, g, b];
}

/** The project's cache folder: `display-cache` beside the project file. */
export function displayCacheDir(projectPath: string): string {
  return join(resolve(projectPath, '..'), 'display-cache');
}

/** Path, size and modification time of the source, or null when it is gone. */
function sourceKey(scenePath: string): string | null {
  try {
    const st = statSync(scenePath);
    return `${resolve(scenePath)}|${st.size}|${st.mtimeMs}`;
  } catch {
    return null;
  }
}

const hash = (text: string, n: number) => createHash('sha1').update(text).digest('hex').slice(0, n);

/** `<path hash>-<key hash>.tif`: copies of one source share the prefix, whatever its version. */
function copyPath(cacheDir: string, scenePath: string, key: string): string {
  return join(cacheDir, `${hash(resolve(scenePath), 16)}-${hash(key, 12)}.tif`);
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Deletes copies of earlier versions of the same source. */
function removeStaleCopies(cacheDir: string, scenePath: string, keep: string): void {
  const prefix = `${hash(resolve(scenePath), 16)}-`;
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (name.startsWith(prefix) && name.endsWith('.tif') && path !== keep) {
      rmSync(path, { force: true });
    }
  }
}
