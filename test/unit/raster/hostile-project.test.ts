/**
 * The server's door for imagery (project.create through ProjectRegistry) refuses a hostile TIFF
 * the way the CLI does: a looping directory chain fails at once, small, with one line, and no
 * project file is left behind (issue 18: one request used to grow the server by ~32 MB/s).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileTokens } from '../../../electron/engine/api/file-tokens.js';
import { ProjectRegistry } from '../../../electron/engine/api/project-registry.js';
import { dataPath, hasData } from '../../helpers/data.js';

describe.skipIf(!hasData)('project.create with a hostile TIFF', () => {
  it('refuses a looping directory chain in < 2 s with < 100 MB growth and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-hostile-project-'));
    const real = dataPath('geotiff', 'misc', 'RGB.byte.tif');
    const buf = Buffer.from(readFileSync(real));
    const ifd = buf.readUInt32LE(4);
    buf.writeUInt32LE(ifd, ifd + 2 + buf.readUInt16LE(ifd) * 12);
    const loop = join(dir, 'loop.tif');
    writeFileSync(loop, buf);
    const registry = new ProjectRegistry({} as FileTokens, (t) => t);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const error = await registry
      .create('hostile', real, loop, join(dir, 'projects'))
      .catch((e: Error) => e);
    const ms = performance.now() - t0;
    const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(
      `project.create on the looping file: refused in ${ms.toFixed(1)} ms, RSS growth ${grown.toFixed(1)} MB`,
    );
    expect(error).toMatchObject({
      code: 'E_TIFF_CORRUPT',
      message: expect.stringMatching(/^loop\.tif: the chain of image directories loops back/),
    });
    expect(ms).toBeLessThan(2000);
    expect(grown).toBeLessThan(100);
    expect(existsSync(join(dir, 'projects'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
