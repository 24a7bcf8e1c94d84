/**
 * The demo project: generated on first start into the data home (two GeoTIFFs and a project file),
 * reused afterwards. Regenerated when its files are missing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';
import { dataHome } from '../paths.js';
import { RasterSource } from '../raster/raster-source.js';
import { ProjectStore } from '../store/project-store.js';

/** Demo projects being made, by folder: two windows starting at once share one. */
const making = new Map<string, Promise<string>>();

export function ensureDemoProject(dir = join(dataHome(), 'demo')): Promise<string> {
  const running = making.get(dir);
  if (running) return running;
  const work = makeDemoProject(dir).finally(() => making.delete(dir));
  making.set(dir, work);
  return work;
}

async function makeDemoProject(dir: string): Promise<string> {
  const projectPath = join(dir, 'demo.landwatch');
  if (existsSync(projectPath)) {
    const store = ProjectStore.open(projectPath);
    const ok = existsSync(store.scene('before').path) && existsSync(store.scene('after').path);
    store.close();
    if (ok) return projectPath;
    for (const suffix of ['', '-wal', '-shm']) rmSync(projectPath + suffix, { force: true });
  }
  const files = await writeDemoScene(dir);
  const [before, after] = await Promise.all([
    RasterSource.open(files.before),
    RasterSource.open(files.after),
  ]);
  try {
    ProjectStore.create(
      projectPath,
      'Demo: village on the edge of town',
      before.info,
      after.info,
    ).close();
  } finally {
    before.close();
    after.close();
  }
  return projectPath;
}
