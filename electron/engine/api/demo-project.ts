/**
 * The demo project, created on first start in the data home and reused afterwards.
 *
 * - `orthophoto` (the product's demo): a before/after pair made by scripts/make-demo.ts from a real
 *   aerial photograph with known changes (METHODS M4 step 3 synthesis), shipped in resources/demo
 *   and copied into the data home. Its source and licence travel with it (demo-meta.json,
 *   LICENSE-imagery.md).
 * - `synthetic`: the generated squares scene (resources/demo/demo-scene.ts), a fixture for tests
 *   that need exactly known rectangles; it lives in a folder of its own.
 *
 * Regenerated when its files are missing or come from another version of the demo.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';
import { LandWatchError } from '../errors.js';
import { bundledDemoDir, dataHome } from '../paths.js';
import { RasterSource } from '../raster/raster-source.js';
import { ProjectStore } from '../store/project-store.js';

export type DemoKind = 'orthophoto' | 'synthetic';

/** The shipped demo's files (written by scripts/make-demo.ts). */
export const DEMO_FILES = {
  before: 'demo-before-2023-04-18.tif',
  after: 'demo-after-2024-05-02.tif',
  truth: 'demo-true-changes.geojson',
  meta: 'demo-meta.json',
  licence: 'LICENSE-imagery.md',
} as const;

const NAMES: Record<DemoKind, string> = {
  orthophoto: 'Demo: farmland with new houses (real aerial photo)',
  synthetic: 'Demo: village on the edge of town (synthetic)',
};

/**
 * The demo project's path, creating it (and its imagery) when needed.
 *
 * @example
 * const path = await ensureDemoProject(); // ~/.local/share/landwatch/demo/demo.landwatch
 */
export function ensureDemoProject(dir?: string, kind: DemoKind = 'orthophoto'): Promise<string> {
  const folder = dir ?? join(dataHome(), kind === 'orthophoto' ? 'demo' : 'demo-synthetic');
  // Two clients starting at once (the page and an API call) share one generation, instead of
  // racing on the same files.
  const running = making.get(folder);
  if (running) return running;
  const work = makeDemoProject(folder, kind).finally(() => making.delete(folder));
  making.set(folder, work);
  return work;
}

/** Demo projects being made, by folder. */
const making = new Map<string, Promise<string>>();

async function makeDemoProject(folder: string, kind: DemoKind): Promise<string> {
  const projectPath = join(folder, 'demo.landwatch');
  if (existsSync(projectPath)) {
    const store = ProjectStore.open(projectPath);
    const ok =
      existsSync(store.scene('before').path) &&
      existsSync(store.scene('after').path) &&
      (kind === 'synthetic' || sameMeta(folder));
    store.close();
    if (ok) return projectPath;
    for (const suffix of ['', '-wal', '-shm']) rmSync(projectPath + suffix, { force: true });
  }
  const files = kind === 'orthophoto' ? copyBundledDemo(folder) : await writeDemoScene(folder);
  const [before, after] = await Promise.all([
    RasterSource.open(files.before),
    RasterSource.open(files.after),
  ]);
  try {
    ProjectStore.create(projectPath, NAMES[kind], before.info, after.info).close();
  } finally {
    before.close();
    after.close();
  }
  return projectPath;
}

/** Copies the shipped demo files into `folder`; returns the image paths. */
export function copyBundledDemo(folder: string): { before: string; after: string; truth: string } {
  const from = bundledDemoDir();
  mkdirSync(folder, { recursive: true });
  for (const name of Object.values(DEMO_FILES)) {
    const source = join(from, name);
    if (!existsSync(source))
      throw new LandWatchError(
        'E_NOT_FOUND',
        `The demo's ${name} is missing from ${from}: reinstall LandWatch, or run \`npx tsx scripts/make-demo.ts\` in a source checkout.`,
      );
    copyFileSync(source, join(folder, name));
  }
  return {
    before: join(folder, DEMO_FILES.before),
    after: join(folder, DEMO_FILES.after),
    truth: join(folder, DEMO_FILES.truth),
  };
}

/** Whether the demo in `folder` is the one this LandWatch ships (same metadata file). */
function sameMeta(folder: string): boolean {
  const here = join(folder, DEMO_FILES.meta);
  const shipped = join(bundledDemoDir(), DEMO_FILES.meta);
  if (!existsSync(here) || !existsSync(shipped)) return false;
  return readFileSync(here, 'utf8') === readFileSync(shipped, 'utf8');
}
