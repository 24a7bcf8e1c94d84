/// <reference lib="dom" />
/**
 * The review desk's comparison and detection tools in Debian's Chromium over the HTTP transport:
 * side by side (V) with a screenshot, the probability heat layer (H) loading the run's raster,
 * hover details over a patch, the run filter against the API's counts, and a detection over an
 * area of interest drawn from the detection dialog, checked through the API.
 */
import { expect, test, type Page } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = 'test/artifacts/e2e';

interface Run {
  id: string;
  startedAt: string;
  kind?: string;
  probabilityUrl?: string | null;
}
interface Project {
  id: string;
  runs: Run[];
  scenes: { before: { extent: [number, number, number, number] } };
}
interface Patch {
  id: string;
  number: number;
  geometry: { type: string; coordinates: unknown };
}

/** Screen pixel (relative to the main map) of a scene coordinate, through the `?e2e` hook. */
function pixelOf(page: Page, coordinate: number[]): Promise<number[]> {
  return page.evaluate(
    (c) =>
      (
        window as unknown as { landwatchE2E: { pixelOf(c: number[]): number[] } }
      ).landwatchE2E.pixelOf(c),
    coordinate,
  );
}

/** The outer ring of a Polygon or of a MultiPolygon's first part. */
function outerRing(patch: Patch): number[][] {
  const c = patch.geometry.coordinates as number[][][] | number[][][][];
  return (patch.geometry.type === 'MultiPolygon' ? c[0][0] : c[0]) as number[][];
}

const newestModelRun = (project: Project): Run =>
  [...project.runs]
    .filter((r) => r.kind !== 'manual')
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .at(-1) as Run;

test('side by side, heat layer, hover, run filter, area of interest', async ({ page, request }) => {
  test.setTimeout(480_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const api = async <T>(channel: string, data: object): Promise<T> =>
    (await (await request.post(`/api/${channel}`, { data })).json()) as T;

  await page.goto('/?e2e');
  await expect(page.getByTestId('status-progress')).toBeVisible();
  const projectId = (await api<Project>('project.openDemo', {})).id;

  // A detection over the whole scene: patches and a probability raster to look at.
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  await expect(page.getByTestId('detect-dialog')).toBeHidden({ timeout: 150_000 });
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible();
  let project = await api<Project>('project.get', { projectId });
  const fullRun = newestModelRun(project);

  // Side by side: V, both maps, the selected patch on both; V again goes back to swipe.
  await rows.first().click();
  const selectedId = await rows.first().getAttribute('data-patch-id');
  await page.keyboard.press('v');
  await expect(page.getByTestId('map-side')).toBeVisible();
  await expect(page.getByTestId('map')).toHaveClass(/side-by-side/);
  await expect(page.locator('[data-mode="side"]')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForTimeout(1500); // tiles of both dates
  await page.screenshot({ path: join(ARTIFACTS, 'compare-side-by-side.jpg'), quality: 80 });
  await page.keyboard.press('v');
  await expect(page.getByTestId('map-side')).toBeHidden();
  await expect(page.locator('[data-mode="swipe"]')).toHaveAttribute('aria-pressed', 'true');

  // Heat layer: H shows the run's probability GeoTIFF (read by range requests), H hides it.
  expect(fullRun.probabilityUrl).toMatch(/^\/files\/[0-9a-f]+$/);
  const heatRead = page.waitForRequest((r) => r.url().includes(fullRun.probabilityUrl as string));
  await page.keyboard.press('h');
  await expect(page.getByTestId('heat-toggle')).toHaveAttribute('aria-pressed', 'true');
  await heatRead;
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(ARTIFACTS, 'heat-layer.jpg'), quality: 80 });
  await page.keyboard.press('h');
  await expect(page.getByTestId('heat-toggle')).toHaveAttribute('aria-pressed', 'false');

  // Hover details: the pointer on a vertex of the selected patch (blend mode: no swipe divider).
  await page.locator('[data-mode="blend"]').click();
  const patch = await api<Patch>('patches.get', { projectId, patchId: selectedId });
  await page.keyboard.press('z');
  await page.waitForTimeout(600); // the zoom animation
  const map = (await page.getByTestId('map').boundingBox())!;
  const [vx, vy] = await pixelOf(page, outerRing(patch)[0]);
  await page.mouse.move(map.x + vx, map.y + vy);
  const tip = page.getByTestId('hover-tip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(`#${patch.number}`);
  await expect(tip).toContainText(/m²/);
  await expect(tip).toContainText(/Confidence \d+%/);
  // Leaving the map (over the sidebar) hides it.
  await page.mouse.move(map.x + map.width + 30, map.y + map.height / 2);
  await expect(tip).toBeHidden();

  // Run filter: the queue holds exactly the run's patches, as the API counts them.
  await page.getByTestId('filter-run').selectOption(fullRun.id);
  const ofRun = await api<{ total: number }>('patches.queue', {
    projectId,
    filter: { runIds: [fullRun.id] },
    limit: 1,
  });
  await expect(page.getByTestId('queue-count')).toHaveAttribute('data-total', String(ofRun.total));
  await page.getByTestId('filter-run').selectOption('all');

  // Area of interest: reload (the whole scene in view), draw a rectangle over the north-west
  // quarter from the detection dialog, detect, and check the new run through the API.
  await page.goto('/?e2e');
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  await page.locator('[data-mode="blend"]').click();
  await page.waitForTimeout(1500); // the view fitted to the scene as read from the COG
  const [x0, y0, x1, y1] = project.scenes.before.extent;
  const a = [x0 + (x1 - x0) * 0.04, y1 - (y1 - y0) * 0.04];
  const b = [x0 + (x1 - x0) * 0.5, y1 - (y1 - y0) * 0.5];
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-aoi-box').click();
  await expect(page.getByTestId('detect-dialog')).toBeHidden();
  const area = (await page.getByTestId('map').boundingBox())!;
  const [ax, ay] = await pixelOf(page, a);
  const [bx, by] = await pixelOf(page, b);
  await page.mouse.click(area.x + ax, area.y + ay);
  await page.mouse.move(area.x + bx, area.y + by, { steps: 8 });
  await page.mouse.click(area.x + bx, area.y + by);
  await expect(page.getByTestId('detect-dialog')).toBeVisible();
  await expect(page.getByTestId('detect-aoi-text')).toContainText(/× .* m ·/);
  await page.screenshot({ path: join(ARTIFACTS, 'detect-area-of-interest.jpg'), quality: 80 });
  const runsBefore = project.runs.length;
  await page.getByTestId('detect-start').click();
  await expect(page.getByTestId('detect-dialog')).toBeHidden({ timeout: 150_000 });
  project = await api<Project>('project.get', { projectId });
  expect(project.runs.length).toBe(runsBefore + 1);
  const aoiRun = newestModelRun(project);
  const kept = await api<Patch[]>('patches.list', { projectId, runId: aoiRun.id });
  // The drawn box, with a pixel's slack for where the clicks landed.
  const slack = (x1 - x0) * 0.01;
  const [minX, maxX] = [Math.min(a[0], b[0]) - slack, Math.max(a[0], b[0]) + slack];
  const [minY, maxY] = [Math.min(a[1], b[1]) - slack, Math.max(a[1], b[1]) + slack];
  for (const p of kept) {
    const xs = outerRing(p).map((q) => q[0]);
    const ys = outerRing(p).map((q) => q[1]);
    expect(Math.min(...xs) < maxX && Math.max(...xs) > minX).toBe(true);
    expect(Math.min(...ys) < maxY && Math.max(...ys) > minY).toBe(true);
  }
  // Patches of the full run outside the area are still in the queue.
  const queue = await api<{ items: Patch[] }>('patches.queue', { projectId, limit: 1000 });
  const outside = (await api<Patch[]>('patches.list', { projectId, runId: fullRun.id })).filter(
    (p) => Math.min(...outerRing(p).map((q) => q[0])) > maxX,
  );
  for (const p of outside) expect(queue.items.some((q) => q.id === p.id)).toBe(true);

  expect(errors).toEqual([]);
});
