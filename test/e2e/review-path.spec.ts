/// <reference lib="dom" />
/**
 * The analyst's path through the real UI in Debian's Chromium over the HTTP transport:
 * open the demo → run detection → confirm and reject patches → export a GeoPackage, then check what
 * was stored through the API and what was written with GDAL.
 */
import { expect, test } from './served.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = 'test/artifacts/e2e';
const hasOgr = existsSync('/usr/bin/ogrinfo');

test('open demo → detect → review → export', async ({ page, request }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto('/');
  await expect(page.getByTestId('map')).toBeVisible();
  // The demo project opens by itself on first start.
  await expect(page.getByTestId('status-progress')).toBeVisible();

  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  await expect(page.getByTestId('detect-ep')).toContainText(/cpu|webgpu|cuda|dml|coreml/i, {
    timeout: 120_000,
  });
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });
  // The list is windowed (only rows in view are in the DOM): the total is on the counter.
  const count = Number(await page.getByTestId('queue-count').getAttribute('data-total'));
  expect(count).toBeGreaterThan(0);
  await page.screenshot({ path: join(ARTIFACTS, '01-detected.jpg'), quality: 80 });
  // The other comparison modes: S cycles swipe → blend → flicker, T flickers between dates.
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('s');
  await page.screenshot({ path: join(ARTIFACTS, '01-blend-mode.jpg'), quality: 80 });
  await page.keyboard.press('s');
  await expect(page.getByTestId('flicker-date')).toContainText('After');
  await page.keyboard.press('t');
  await expect(page.getByTestId('flicker-date')).toContainText('Before');
  await page.screenshot({ path: join(ARTIFACTS, '01-flicker-before.jpg'), quality: 80 });
  await page.keyboard.press('s');
  await expect(page.getByTestId('flicker-date')).toBeHidden();

  // Confirm the first patch with the mouse, reject the second with the keyboard.
  await rows.first().click();
  await page.getByTestId('confirm').click();
  await expect(rows.first()).toHaveAttribute('data-state', 'confirmed');
  const firstId = await rows.first().getAttribute('data-patch-id');
  let secondId: string | null = null;
  if (count > 1) {
    await rows.nth(1).click();
    secondId = await rows.nth(1).getAttribute('data-patch-id');
    await page.keyboard.press('x');
    const dialog = page.getByRole('dialog');
    if (await dialog.isVisible().catch(() => false)) {
      await page.keyboard.type('shadow of a tree');
      await page.keyboard.press('Enter');
    }
    await expect(
      page.locator(`[data-testid="patch-row"][data-patch-id="${secondId}"]`),
    ).toHaveAttribute('data-state', 'rejected');
  }
  await page.screenshot({ path: join(ARTIFACTS, '02-reviewed.jpg'), quality: 80 });

  // The decisions are stored in the project, as the API reports them.
  const info = await request.post('/api/project.openDemo', { data: {} });
  const project = (await info.json()) as { id: string; counts: Record<string, number> };
  expect(project.counts.confirmed).toBeGreaterThanOrEqual(1);
  const listed = await request.post('/api/patches.list', { data: { projectId: project.id } });
  const patches = (await listed.json()) as { id: string; state: string }[];
  expect(patches.find((p) => p.id === firstId)?.state).toBe('confirmed');
  if (secondId) expect(patches.find((p) => p.id === secondId)?.state).toBe('rejected');

  // Export a GeoPackage and check it with GDAL.
  await page.getByTestId('export-open').click();
  await page.getByTestId('export-format').selectOption('gpkg');
  await page.getByTestId('export-run').click();
  const link = page.locator('a[data-testid="export-result"]');
  await expect(link).toBeVisible();
  const href = await link.getAttribute('href');
  expect(href).toBeTruthy();
  const download = await request.get(href as string);
  expect(download.status()).toBe(200);
  const gpkg = join(ARTIFACTS, 'demo-export.gpkg');
  writeFileSync(gpkg, await download.body());
  if (hasOgr) {
    const out = execFileSync('ogrinfo', ['-ro', '-al', '-so', gpkg], { encoding: 'utf8' });
    expect(out).toContain(`Feature Count: ${count}`);
    // The shipped demo is in the Swiss grid (resources/demo/LICENSE-imagery.md).
    expect(out).toMatch(/EPSG",\s*2056|CH1903\+ \/ LV95/);
    const confirmed = execFileSync(
      'ogrinfo',
      ['-ro', '-q', '-sql', "SELECT COUNT(*) AS n FROM changes WHERE state = 'confirmed'", gpkg],
      {
        encoding: 'utf8',
      },
    );
    expect(confirmed).toMatch(/n \(Integer\) = 1/);
  }
  await page.screenshot({ path: join(ARTIFACTS, '03-exported.jpg'), quality: 80 });
  expect(errors).toEqual([]);
});

interface Patch {
  id: string;
  state: string;
  deleted?: boolean;
  edited?: boolean;
  parents?: string[];
  attributes?: { changeClass: string | null };
  geometry: { type: string; coordinates: number[][][] };
}

test('review desk: keyboard review, class key, vertex edit, split, merge, undo', async ({
  page,
  request,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const api = async <T>(channel: string, data: object): Promise<T> => {
    const res = await request.post(`/api/${channel}`, { data });
    expect(res.ok(), `${channel}: ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  };
  const project = await api<{ id: string }>('project.openDemo', {});
  const get = (patchId: string) => api<Patch>('patches.get', { projectId: project.id, patchId });

  await page.goto('/?e2e');
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  await expect(page.getByTestId('detect-dialog')).toBeHidden({ timeout: 150_000 });
  await expect(page.getByTestId('patch-row').first()).toBeVisible();

  // Each comparison mode, kept as JPEG artefacts.
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.screenshot({ path: join(ARTIFACTS, 'mode-swipe.jpg'), quality: 80 });
  await page.keyboard.press('s');
  await page.screenshot({ path: join(ARTIFACTS, 'mode-blend.jpg'), quality: 80 });
  await page.keyboard.press('s');
  await expect(page.getByTestId('flicker-date')).toBeVisible();
  await page.screenshot({ path: join(ARTIFACTS, 'mode-flicker.jpg'), quality: 80 });
  await page.keyboard.press('s');
  await page.keyboard.press('s'); // blend: no divider in the way of the edits below

  // Review five patches with the keyboard alone: J selects, C/F/X decide and move on.
  const selected = () => page.locator('.patch-row.selected').getAttribute('data-patch-id');
  await page.keyboard.press('j');
  const decided: [string, string][] = [];
  for (const [key, state] of [
    ['c', 'confirmed'],
    ['f', 'field_check'],
    ['c', 'confirmed'],
    ['x', 'rejected'],
    ['c', 'confirmed'],
  ]) {
    const id = (await selected()) as string;
    await page.keyboard.press(key);
    if (key === 'x') {
      await expect(page.getByTestId('comment-input')).toBeVisible();
      await page.keyboard.type('roof shadow');
      await page.keyboard.press('Enter');
    }
    await expect.poll(async () => (await get(id)).state).toBe(state);
    await expect.poll(selected).not.toBe(id); // the queue moved on
    decided.push([id, state]);
  }

  // Number key 1: the first change class of the code list.
  const lists = await api<{ changeClass: { code: string; active: boolean; sort: number }[] }>(
    'codeLists.get',
    { projectId: project.id },
  );
  const firstClass = lists.changeClass
    .filter((c) => c.active)
    .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code))[0].code;
  const target = (await selected()) as string;
  await page.keyboard.press('1');
  await expect.poll(async () => (await get(target)).attributes?.changeClass).toBe(firstClass);
  await expect(page.getByTestId('attr-class')).toHaveValue(firstClass);

  // Edit a vertex: E, then drag the vertex farthest from the centre outwards.
  await page.keyboard.press('z');
  await page.waitForTimeout(600);
  await page.keyboard.press('e');
  await expect(page.getByTestId('map')).toHaveAttribute('data-tool', 'modify');
  const original = await get(target);
  const ring = original.geometry.coordinates[0];
  const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const far = ring.reduce((best, p) =>
    Math.hypot(p[0] - cx, p[1] - cy) > Math.hypot(best[0] - cx, best[1] - cy) ? p : best,
  );
  const canvas = (await page.locator('.map-canvas').boundingBox())!;
  const pixel = (c: number[]) =>
    page.evaluate(
      (coordinate) =>
        (
          window as unknown as { landwatchE2E: { pixelOf(c: number[]): number[] } }
        ).landwatchE2E.pixelOf(coordinate),
      c,
    );
  const [vx, vy] = await pixel(far);
  const [ox, oy] = await pixel([cx, cy]);
  const len = Math.hypot(vx - ox, vy - oy) || 1;
  await page.mouse.move(canvas.x + vx, canvas.y + vy);
  await page.mouse.down();
  await page.mouse.move(
    canvas.x + vx + ((vx - ox) / len) * 18,
    canvas.y + vy + ((vy - oy) / len) * 18,
    {
      steps: 6,
    },
  );
  await page.mouse.up();
  await expect.poll(async () => (await get(target)).edited).toBe(true);
  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(ARTIFACTS, 'desk-edited.jpg'), quality: 80 });

  // Split it along a line drawn across its centre (L, click, double-click).
  const edited = await get(target);
  const xs = edited.geometry.coordinates[0].map((p) => p[0]);
  const ys = edited.geometry.coordinates[0].map((p) => p[1]);
  const midY = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(...xs) - Math.min(...xs);
  const [ax, ay] = await pixel([Math.min(...xs) - span * 0.3, midY]);
  const [bx, by] = await pixel([Math.max(...xs) + span * 0.3, midY]);
  await page.keyboard.press('l');
  await expect(page.getByTestId('map')).toHaveAttribute('data-tool', 'split');
  await page.mouse.click(canvas.x + ax, canvas.y + ay);
  await page.mouse.dblclick(canvas.x + bx, canvas.y + by);
  await expect.poll(async () => (await get(target)).deleted).toBe(true);
  const queue = await api<{ items: Patch[] }>('patches.queue', {
    projectId: project.id,
    limit: 1000,
  });
  const pieces = queue.items.filter((p) => p.parents?.includes(target)).map((p) => p.id);
  expect(pieces.length).toBeGreaterThanOrEqual(2);
  await page.screenshot({ path: join(ARTIFACTS, 'desk-split.jpg'), quality: 80 });

  // Merge two pieces back: select one, Ctrl+click the other in the queue, M.
  const [first, second] = pieces;
  const rowOf = async (id: string) => {
    await page.evaluate(async (pid) => {
      const list = document.querySelector('[data-testid="queue-list"]') as HTMLElement;
      for (let top = 0; top <= list.scrollHeight; top += 120) {
        list.scrollTop = top;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        if (document.querySelector(`[data-patch-id="${pid}"]`)) return;
      }
    }, id);
    return page.locator(`[data-testid="patch-row"][data-patch-id="${id}"]`);
  };
  await (await rowOf(first)).click();
  await (await rowOf(second)).click({ modifiers: ['ControlOrMeta'] });
  await expect(page.locator(`[data-patch-id="${second}"]`)).toHaveClass(/marked/);
  await page.keyboard.press('m');
  await expect.poll(async () => (await get(first)).deleted).toBe(true);
  expect((await get(second)).deleted).toBe(true);

  // Undo the merge with Ctrl+Z: both pieces are back; redo is the merge.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await get(first)).deleted ?? false).toBe(false);
  expect((await get(second)).deleted ?? false).toBe(false);
  const history = await api<{ status: { redo: { action: string } | null } }>('history.list', {
    projectId: project.id,
    limit: 5,
  });
  expect(history.status.redo?.action).toMatch(/merge/);

  // What is stored: the five decisions, the class, the edited-then-split patch.
  for (const [id, state] of decided) {
    const p = await get(id);
    if (!p.deleted) expect(p.state).toBe(state);
  }
  expect((await get(target)).edited).toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, 'desk-undone.jpg'), quality: 80 });
  expect(errors).toEqual([]);
});
