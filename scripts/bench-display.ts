/**
 * Benchmarks imagery display (issue 19): for a generated size² stripped, overview-less GeoTIFF pair
 * and the real Landsat pair (800², 6 bands, one row per strip), the one-time preparation of the
 * display copies, then in Debian's Chromium against `landwatch serve` (in this process): time to
 * imagery (page opened → both dates drawn, `data-imagery="shown"`) and to the first full view
 * (every tile of the view drawn, `data-imagery="ready"`), the
 * requests that view took, the most in flight (imagery, and the whole page), and the same for a
 * view zoomed in 4× at the centre. Prints one table.
 *
 * Usage: npx tsx scripts/bench-display.ts [--size 16384] [--runs 3]
 * Needs the built UI (npm run build) and /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import type { ApiEvent } from '../electron/common/contract.js';
import { startServer, type RunningServer } from '../electron/server/http-server.js';
import { writeStrippedPair } from './stripped-scene.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SIZE = flag('size', 16384);
const RUNS = flag('runs', 3);
const LANDSAT = resolve('../shared/data/geotiff/landsat-nanjing');

const home = mkdtempSync(join(tmpdir(), 'landwatch-bench-display-'));
process.env.LANDWATCH_HOME = home;

type Pair = { name: string; before: string; after: string };

async function prepare(server: RunningServer, pair: Pair) {
  const call = (channel: string, payload: object) => server.backend.handle(channel, payload);
  const token = async (role: string, path: string) =>
    ((await call('file.pickImage', { role, path })) as { token: string }).token;
  const project = (await call('project.create', {
    name: pair.name,
    beforeToken: await token('before', pair.before),
    afterToken: await token('after', pair.after),
  })) as { id: string };
  const t0 = performance.now();
  const done = new Promise<ApiEvent>((ok) => {
    const stop = server.backend.onEvent((e) => {
      if (e.type === 'display.done' || e.type === 'display.failed') {
        stop();
        ok(e);
      }
    });
  });
  const { jobId } = (await call('display.prepare', { projectId: project.id })) as {
    jobId: string | null;
  };
  if (jobId) {
    const end = await done;
    if (end.type === 'display.failed') throw new Error(end.error.message);
  }
  const prepareS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = (await call('display.prepare', { projectId: project.id })) as { jobId: unknown };
  if (again.jobId !== null) throw new Error('the display copies were not reused');
  return { id: project.id, prepareS, reuseMs: performance.now() - t1 };
}

/** Counts requests of `page`: all, and imagery (/files/), with the most in flight of each. */
function track(page: Page) {
  const open = new Set<unknown>();
  const files = new Set<unknown>();
  const s = { requests: 0, maxFiles: 0, maxAll: 0, lastFileEvent: performance.now() };
  const isFile = (url: string) => new URL(url).pathname.startsWith('/files/');
  page.on('request', (r) => {
    open.add(r);
    s.maxAll = Math.max(s.maxAll, open.size);
    if (!isFile(r.url())) return;
    files.add(r);
    s.requests++;
    s.maxFiles = Math.max(s.maxFiles, files.size);
    s.lastFileEvent = performance.now();
  });
  const end = (r: unknown) => {
    open.delete(r);
    if (files.delete(r)) s.lastFileEvent = performance.now();
  };
  page.on('requestfinished', end);
  page.on('requestfailed', end);
  return {
    s,
    reset() {
      Object.assign(s, { requests: 0, maxFiles: files.size, maxAll: open.size });
    },
    /** Resolves when no imagery request has been open for `quietMs`; returns when the last ended. */
    async quiet(quietMs = 700): Promise<number> {
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        if (files.size === 0 && performance.now() - s.lastFileEvent > quietMs) {
          return s.lastFileEvent;
        }
      }
    },
  };
}

async function view(server: RunningServer, projectId: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const net = track(page);
    const t0 = performance.now();
    await page.goto(`${server.url}?project=${projectId}`);
    await page.waitForSelector('[data-imagery="shown"], [data-imagery="ready"]', {
      timeout: 120_000,
    });
    const shown = (performance.now() - t0) / 1000;
    await page.waitForSelector('[data-testid="map"][data-imagery="ready"]', { timeout: 120_000 });
    const first = { shown, s: (performance.now() - t0) / 1000, ...net.s };
    await net.quiet();
    net.reset();
    const t1 = performance.now();
    await page.click('.ol-zoom-in');
    await page.waitForTimeout(300);
    await page.click('.ol-zoom-in');
    const lastEnd = await net.quiet();
    // Nothing requested: every tile of the zoomed view was already loaded.
    const zoom = { s: net.s.requests === 0 ? 0 : (lastEnd - t1) / 1000, ...net.s };
    return { first, zoom };
  } finally {
    await browser.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = join(home, 'scenes');
  mkdirSync(dir, { recursive: true });
  const pairs: Pair[] = [];
  if (existsSync(LANDSAT)) {
    const files = [
      'Nanjing_LT51200382000124BJC00_Nanjing.tif',
      'Nanjing_LT51200382002193BJC00_Nanjing.tif',
    ];
    const [before, after] = files.map((f) => join(dir, basename(f)));
    copyFileSync(join(LANDSAT, files[0]), before);
    copyFileSync(join(LANDSAT, files[1]), after);
    pairs.push({ name: 'Landsat 800² 6-band, strips', before, after });
  }
  const t0 = performance.now();
  const big = await writeStrippedPair(dir, SIZE);
  console.log(
    `generated the ${SIZE}² stripped pair in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  pairs.push({ name: `generated ${SIZE}² RGB, strips`, ...big });

  const server = await startServer({ port: 0, staticDir: resolve('dist/renderer') });
  const rows: Record<string, string | number>[] = [];
  try {
    for (const pair of pairs) {
      const prepared = await prepare(server, pair);
      const runs: Awaited<ReturnType<typeof view>>[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await view(server, prepared.id));
      const pick = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
      rows.push({
        scene: pair.name,
        'prepare s (once)': prepared.prepareS.toFixed(1),
        'reuse ms': prepared.reuseMs.toFixed(1),
        'imagery shown s': pick((r) => r.first.shown).toFixed(2),
        'first full view s': pick((r) => r.first.s).toFixed(2),
        'requests (first view)': pick((r) => r.first.requests),
        'max in flight imagery': Math.max(...runs.map((r) => r.first.maxFiles)),
        'max in flight page': Math.max(...runs.map((r) => Math.max(r.first.maxAll, r.zoom.maxAll))),
        'zoom 4× s': pick((r) => r.zoom.s).toFixed(2),
        'requests (zoom 4×)': pick((r) => r.zoom.requests),
      });
    }
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`\nImagery display, Chromium 1280×800, median of ${RUNS} page loads per scene`);
  console.table(rows);
}

await main();
