/**
 * Where tests find the shared real data (../shared/data, never copied into the repo), and a clear
 * skip reason when it is missing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const DATA = process.env.LANDWATCH_DATA ?? join(REPO, '..', 'shared', 'data');

export function dataPath(...parts: string[]): string {
  return join(DATA, ...parts);
}

export const NANJING_BEFORE = dataPath(
  'geotiff',
  'landsat-nanjing',
  'Nanjing_LT51200382000124BJC00_Nanjing.tif',
);
export const NANJING_AFTER = dataPath(
  'geotiff',
  'landsat-nanjing',
  'Nanjing_LT51200382002193BJC00_Nanjing.tif',
);

export const hasData = existsSync(NANJING_BEFORE);
if (!hasData) {
  console.warn(
    `shared data not found at ${DATA}: tests that need real imagery are skipped (set LANDWATCH_DATA)`,
  );
}
