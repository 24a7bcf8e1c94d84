/**
 * The TIFF structure check (issue 18): a looping directory chain fails fast and small, in the
 * engine and through `landwatch detect` (exit 2, one line); wrong messages of old are gone.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RasterSource } from '../../../electron/engine/raster/raster-source.js';
import { checkTiffStructure } from '../../../electron/engine/raster/tiff-structure.js';
import { REPO, dataPath, hasData } from '../../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-tiff-structure-'));
const built = existsSync(join(REPO, 'dist', 'node', 'landwatch.js'));
const REAL = dataPath('geotiff', 'misc', 'RGB.byte.tif');

/** A copy of a real classic little-endian TIFF whose first directory names itself as the next. */
function loopingCopy(): string {
  const buf = Buffer.from(readFileSync(REAL));
  const ifd = buf.readUInt32LE(4);
  buf.writeUInt32LE(ifd, ifd + 2 + buf.readUInt16LE(ifd) * 12);
  const path = join(dir, 'loop.tif');
  writeFileSync(path, buf);
  return path;
}

function patched(name: string, edit: (buf: Buffer, ifd: number) => void): string {
  const buf = Buffer.from(readFileSync(REAL));
  edit(buf, buf.readUInt32LE(4));
  const path = join(dir, name);
  writeFileSync(path, buf);
  return path;
}

async function refusal(path: string): Promise<string> {
  const error = await RasterSource.open(path).then(
    (s) => {
      s.close();
      return null;
    },
    (e: Error) => e,
  );
  expect(error?.name).toBe('LandWatchError');
  return error?.message ?? '';
}

describe.skipIf(!hasData)('TIFF structure check', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a looping directory chain in < 2 s with < 100 MB memory growth', async () => {
    const path = loopingCopy();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const message = await refusal(path);
    const ms = performance.now() - t0;
    const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(`looping IFD refused in ${ms.toFixed(1)} ms, RSS growth ${grown.toFixed(1)} MB`);
    expect(message).toMatch(/^loop\.tif: the chain of image directories loops back/);
    expect(ms).toBeLessThan(2000);
    expect(grown).toBeLessThan(100);
  });

  it('passes and opens every real GeoTIFF in the shared data', async () => {
    const files = readdirSync(dataPath('geotiff'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => /\.tiff?$/i.test(f),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const path = dataPath('geotiff', f);
      const size = statSync(path).size;
      expect((await checkTiffStructure(path, f, size))[0], f).toBe(true);
      const source = await RasterSource.open(path);
      await source.overviewImages();
      source.close();
    }
  });

  it('names the real problem: directory past the end, zero size, a folder', async () => {
    const past = patched('past.tif', (b) => b.writeUInt32LE(b.length + 100, 4));
    expect(await refusal(past)).toMatch(/past the end of the file/);
    const zero = patched('zero.tif', (b, ifd) => {
      for (let i = 0; i < b.readUInt16LE(ifd); i++) {
        const at = ifd + 2 + i * 12;
        if (b.readUInt16LE(at) === 256) b.fill(0, at + 8, at + 12);
      }
    });
    expect(await refusal(zero)).toMatch(/zero size/);
    mkdirSync(join(dir, 'folder.tif'));
    expect(await refusal(join(dir, 'folder.tif'))).toMatch(/is a folder/);
  });

  it.skipIf(!built)('makes landwatch detect exit 2 with one line on the looping file', () => {
    const path = loopingCopy();
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        join(REPO, 'bin', 'landwatch.js'),
        'detect',
        '--before',
        REAL,
        '--after',
        path,
        '--out',
        join(dir, 'o.geojson'),
      ],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: {
          ...process.env,
          LANDWATCH_HOME: join(dir, 'home'),
          LANDWATCH_WORK: join(dir, 'work'),
        },
      },
    );
    console.log(
      `landwatch detect on the looping file: exit ${r.status} in ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^landwatch: error: loop\.tif: the chain of image directories loops back/,
      ),
    ]);
  });
});
