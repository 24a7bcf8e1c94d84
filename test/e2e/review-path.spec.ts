/**
 * The analyst's path through the real UI in Debian's Chromium over the HTTP transport:
 * open the demo → run detection → confirm and reject patches → export a GeoPackage, then check what
 * was stored through the API and what was written with GDAL.
 */
import { expect, test } from '@playwright/test';
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
    expect(out).toMatch(/EPSG",\s*32650|UTM zone 50N/);
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
