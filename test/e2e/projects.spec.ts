/// <reference lib="dom" />
/**
 * Projects to return to: create a project from two files in the New project dialog, reload (the
 * app reopens it instead of the demo), reopen the demo and then the new project from the recent
 * list (each entry with a thumbnail of its after scene and its counts), rename it. Ends with the
 * demo open again, as the other specs expect.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = 'test/artifacts/e2e';

test('create a project from files, reload, reopen it from the recent list', async ({
  page,
  request,
}) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const home = process.env.LANDWATCH_E2E_HOME ?? '';
  await request.post('/api/project.openDemo', { data: {} });
  await page.goto('/');
  const label = page.getByTestId('project-name-label');
  await expect(label).toContainText('Demo');

  // New project from two files (typed paths: this is the served app).
  await page.getByTestId('new-project').click();
  await page.getByTestId('project-name').fill('County pair');
  for (const [role, file] of [
    ['before', 'demo-before-2023-04-18.tif'],
    ['after', 'demo-after-2024-05-02.tif'],
  ]) {
    await page.getByTestId(`pick-${role}-path`).fill(join(home, 'demo', file));
    await page.getByTestId(`pick-${role}`).click();
    await expect(page.getByTestId(`picked-${role}`)).toContainText(file);
  }
  await page.getByTestId('project-create').click();
  await expect(label).toContainText('County pair');

  // A reload reopens it, not the demo.
  await page.reload();
  await expect(label).toContainText('County pair');

  // The recent list: both projects, with their scenes and counts.
  await page.getByTestId('projects-open').click();
  // Other specs may have made projects before this one: the newest comes first, the demo is listed.
  const rows = page.getByTestId('recent-project');
  const demoRow = page.locator('[data-testid="recent-project"][data-name^="Demo"]');
  await expect(rows.first()).toHaveAttribute('data-name', 'County pair');
  await expect(demoRow).toHaveCount(1);
  await expect(demoRow).toContainText('demo');
  await expect(rows.first()).toContainText(
    'demo-before-2023-04-18.tif → demo-after-2024-05-02.tif',
  );
  await expect(rows.first().getByTestId('recent-counts')).toContainText('0 open · 0 confirmed');
  // Thumbnails of the after scene, decoded by the browser (a real picture, not a broken link).
  for (const row of [rows.first(), demoRow]) {
    const thumb = row.getByTestId('recent-thumbnail');
    await expect(thumb).toBeVisible();
    expect(await thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(96);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'projects-01-recent-list.png') });

  // Open the demo from the list, then the new project again.
  await demoRow.getByTestId('recent-open').click();
  await expect(label).toContainText('Demo');
  await page.getByTestId('projects-open').click();
  const county = page.locator('[data-testid="recent-project"][data-name="County pair"]');
  await expect(county.getByTestId('recent-thumbnail')).toBeVisible();
  await page.screenshot({ path: join(ARTIFACTS, 'projects-03-reopen-from-list.png') });
  await county.getByTestId('recent-open').click();
  await expect(label).toContainText('County pair');

  // Rename it from the list.
  await page.getByTestId('projects-open').click();
  await county.getByTestId('recent-rename').click();
  await page.getByTestId('comment-input').fill('County pair 2024');
  await page.getByTestId('comment-ok').click();
  await expect(
    page.locator('[data-testid="recent-project"][data-name="County pair 2024"]'),
  ).toBeVisible();
  await expect(label).toContainText('County pair 2024');
  await page.screenshot({ path: join(ARTIFACTS, 'projects-02-renamed.png') });
  await page.keyboard.press('Escape');

  // After a reload the renamed project is still the one shown.
  await page.reload();
  await expect(label).toContainText('County pair 2024');
  await request.post('/api/project.openDemo', { data: {} });
});
