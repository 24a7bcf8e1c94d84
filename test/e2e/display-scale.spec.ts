/// <reference lib="dom" />
/**
 * Imagery that displays at any size (issue 19): a generated 16384² stripped, overview-less GeoTIFF
 * pair and the real 6-band Landsat pair (800², one row per strip). The first opening prepares the
 * display copies once; opened again, the map shows imagery within 3 s (both dates drawn, coarse
 * tiles first; then every tile of the view), the page never has more
 * than 16 requests in flight, and API calls (a queue summary, the Detect dialog) answer while the
 * imagery loads. Screenshots go to test/artifacts/e2e.
 */
import { expect, test, type Page } from './served.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { writeStrippedPair } from '../../scripts/stripped-scene.js';
import { apiCall } from './api-call.js';

const ARTIFACTS = 'test/artifacts/e2e';
const LANDSAT = '../shared/data/geotiff/landsat-nanjing';
const LANDSAT_PAIR = {
  before: join(LANDSAT, 'Nanjing_LT51200382000124BJC00_Nanjing.tif'),
  after: join(LANDSAT, 'Nanjing_LT51200382002193BJC00_Nanjing.tif'),
};
const BIG = 16384;
/** The served app opens files under its data home (the throw-away one of the e2e run). */
const HOME = process.env.LANDWATCH_E2E_HOME ?? '';
/**
 * Issue 19's bound from opening a prepared project to imagery on the map. A machine shared far
 * beyond its cores may raise it (LANDWATCH_E2E_IMAGERY_MS); `npm run bench:display` measures it.
 */
const IMAGERY_MS = Number(process.env.LANDWATCH_E2E_IMAGERY_MS ?? 3000);

interface Opened {
  id: string;
  scenes: { before: { display?: string }; after: { display?: string } };
}

/** Requests of the page in flight now and at most so far. */
function trackRequests(page: Page) {
  const open = new Set<unknown>();
  const stats = { max: 0, files: 0 };
  page.on('request', (r) => {
    open.add(r);
    stats.max = Math.max(stats.max, open.size);
    if (new URL(r.url()).pathname.startsWith('/files/')) stats.files++;
  });
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
  return {
    stats,
    reset() {
      stats.max = open.size;
      stats.files = 0;
    },
  };
}

/** Share of map pixels that are not the empty map's background, and their spread of grey. */
function imageryShown(png: Buffer): { covered: number; spread: number } {
  const img = PNG.sync.read(png);
  let covered = 0;
  let sum = 0;
  let sum2 = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [img.data[i * 4], img.data[i * 4 + 1], img.data[i * 4 + 2]];
    // The empty map is #2a2f36.
    if (Math.abs(r - 0x2a) + Math.abs(g - 0x2f) + Math.abs(b - 0x36) > 12) covered++;
    const grey = (r + g + b) / 3;
    sum += grey;
    sum2 += grey * grey;
  }
  return { covered: covered / n, spread: Math.sqrt(sum2 / n - (sum / n) ** 2) };
}

async function openPair(
  page: Page,
  request: Parameters<typeof apiCall>[0],
  name: string,
  paths: { before: string; after: string },
) {
  const tokens: Record<string, string> = {};
  for (const role of ['before', 'after'] as const) {
    const picked = await apiCall<{ token: string }>(request, 'file.pickImage', {
      role,
      path: paths[role],
    });
    tokens[role] = picked.token;
  }
  const project = await apiCall<Opened>(request, 'project.create', {
    name,
    beforeToken: tokens.before,
    afterToken: tokens.after,
  });
  expect(project.scenes.before.display).toBe('pending');
  const net = trackRequests(page);
  const map = page.getByTestId('map');

  // First opening: the one-time display copies (their time is in `npm run bench:display`).
  await page.goto(`/?project=${project.id}`);
  await expect(map).toHaveAttribute('data-imagery', 'ready', { timeout: 600_000 });
  const prepared = await apiCall<Opened>(request, 'project.get', { projectId: project.id });
  expect(prepared.scenes.before.display).toBe('copy');
  expect(prepared.scenes.after.display).toBe('copy');

  // Opened again: imagery within 3 s, bounded requests, the API answering while tiles load.
  net.reset();
  const opened = Date.now();
  await page.goto(`/?project=${project.id}`);
  const summary = page.evaluate(async (projectId) => {
    const res = await fetch('/api/patches.summary', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId }),
    });
    return res.status;
  }, project.id);
  const detect = (async () => {
    await page.getByTestId('detect-open').click();
    await expect(page.getByTestId('detect-start')).toBeVisible();
  })();
  const left = Math.max(0, IMAGERY_MS - (Date.now() - opened));
  await expect(map).toHaveAttribute('data-imagery', /^(shown|ready)$/, { timeout: left });
  await detect;
  expect(await summary).toBe(200);
  await page.keyboard.press('Escape');
  await expect(map).toHaveAttribute('data-imagery', 'ready', { timeout: 60_000 });
  expect(net.stats.max).toBeLessThanOrEqual(16);
  expect(net.stats.files).toBeGreaterThan(0);
  // 'ready' may already stand from before the dialog opened while the map repaints after it
  // closed (a CI run once caught 1.5 % covered, its failure screenshot a moment later full):
  // the map must show the imagery within a few seconds.
  let shown = imageryShown(await map.screenshot());
  await expect
    .poll(async () => (shown = imageryShown(await map.screenshot())).covered, { timeout: 10_000 })
    .toBeGreaterThan(0.5);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  await page.screenshot({ path: join(ARTIFACTS, `display-${slug}.png`) });
  expect(shown.spread).toBeGreaterThan(5);
  return project.id;
}

test.describe('imagery display at scale', () => {
  test.beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

  test('real Landsat 6-band stripped pair', async ({ page, request }) => {
    test.skip(!existsSync(LANDSAT_PAIR.before), 'shared Landsat data not present');
    const dir = join(HOME, 'landsat');
    mkdirSync(dir, { recursive: true });
    const pair = { before: '', after: '' };
    for (const role of ['before', 'after'] as const) {
      pair[role] = join(dir, basename(LANDSAT_PAIR[role]));
      copyFileSync(LANDSAT_PAIR[role], pair[role]);
    }
    await openPair(page, request, 'Landsat Nanjing', pair);
  });

  test('generated 16384² stripped pair without overviews', async ({ page, request }) => {
    test.setTimeout(1_500_000);
    const dir = mkdtempSync(join(HOME, 'stripped-'));
    try {
      const pair = await writeStrippedPair(dir, BIG);
      await openPair(page, request, `Stripped ${BIG}`, pair);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
