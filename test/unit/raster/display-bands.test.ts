/**
 * The bands the map shows as red, green and blue: picked by the file's wavelengths where it
 * states them (a Landsat TM stack starts with blue, so "the first three" would show it in false
 * colour), else left to the map's default (the first three).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyBundledDemo } from '../../../electron/engine/api/demo-project.js';
import { DisplayCache } from '../../../electron/engine/raster/display-cache.js';
import { NANJING_BEFORE as NANJING, hasData } from '../../helpers/data.js';

describe('display bands by wavelength', () => {
  it.skipIf(!hasData)('shows a Landsat TM stack as bands 3, 2, 1', async () => {
    const cache = new DisplayCache();
    expect(await cache.displayBands(NANJING)).toEqual([3, 2, 1]);
    // Asked again: the same answer (from the header read once).
    expect(await cache.displayBands(NANJING)).toEqual([3, 2, 1]);
  });

  it('leaves an RGB photograph without wavelengths, and a missing file, to the default', async () => {
    const demo = copyBundledDemo(mkdtempSync(join(tmpdir(), 'lw-bands-')));
    const cache = new DisplayCache();
    expect(await cache.displayBands(demo.before)).toBeNull();
    expect(await cache.displayBands(join(tmpdir(), 'no-such-scene.tif'))).toBeNull();
  });
});
