/**
 * A sliver of overlap between the dates (issue 18): below the model's smallest input the run is
 * refused with a clear line, and a small share warns instead of silently reporting 0 changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInputs } from '../../../electron/engine/inference/detect-inputs.js';
import { dataPath, hasData } from '../../helpers/data.js';

const hasGdal = existsSync('/usr/bin/gdal_translate');
const dir = mkdtempSync(join(tmpdir(), 'lw-overlap-'));
const SRC = dataPath('geotiff', 'vhr', 'dop-rgb.tif');

function crop(name: string, x: number, y: number, size: number): string {
  const path = join(dir, name);
  execFileSync('gdal_translate', [
    '-q',
    '-srcwin',
    `${x}`,
    `${y}`,
    `${size}`,
    `${size}`,
    SRC,
    path,
  ]);
  return path;
}

describe.skipIf(!hasData || !hasGdal)('tiny overlaps', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a 1×1 px overlap, naming both files and the size', async () => {
    const before = crop('before.tif', 0, 0, 100);
    const after = crop('corner.tif', 99, 99, 100);
    await expect(openInputs({ beforePath: before, afterPath: after })).rejects.toThrow(
      /^before\.tif and corner\.tif overlap by only 1×1 px; LandWatch needs at least 32×32 px/,
    );
  });

  it('warns when the dates share under 5 % of the before image', async () => {
    const before = crop('big.tif', 0, 0, 400);
    const after = crop('small.tif', 360, 360, 200);
    const inputs = await openInputs({ beforePath: before, afterPath: after });
    inputs.close();
    expect(inputs.notes.join('\n')).toMatch(/warning: big\.tif and small\.tif share only 1\.0 %/);
  });
});
