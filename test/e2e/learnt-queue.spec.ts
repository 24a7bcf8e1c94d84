/// <reference lib="dom" />
/**
 * The queue learns, in the real UI, on an AirChange scene: after a detection the Learnt column
 * shows "—" and says how many decisions are missing; after 20+ decisions (two by keys, twenty
 * through the API the UI uses, one more by key to see the column follow) the column shows
 * probabilities, the "Rank learnt" sort puts the likeliest first, and the selected patch says why
 * it ranks high or low.
 */
import type { APIRequestContext } from '@playwright/test';
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PatchView } from '../../electron/common/contract.js';
import { apiCall } from './api-call.js';
import { pngToTiff } from '../../scripts/eval/png-tiff.js';

const ARTIFACTS = 'test/artifacts/e2e';
const AIRCHANGE = join('..', 'shared', 'data', 'cd-pairs', 'airchange-szada');

/**
 * A project on AirChange Szada train_5 (1.5 m; the demo scene gives only a dozen patches, too few
 * to learn from), its PNGs written as GeoTIFFs and opened with typed paths as over HTTP.
 */
async function airchangeProject(request: APIRequestContext): Promise<{ id: string }> {
  const dir = join(process.env.LANDWATCH_E2E_HOME ?? '', 'learnt-queue');
  mkdirSync(dir, { recursive: true });
  const token = async (role: 'before' | 'after', folder: string) => {
    const path = join(dir, `${role}.tif`);
    await pngToTiff(join(AIRCHANGE, folder, 'train_5.png'), path, 1.5, false);
    return (await apiCall<{ token: string }>(request, 'file.pickImage', { role, path })).token;
  };
  const project = await apiCall<{ id: string }>(request, 'project.create', {
    name: 'Learnt queue',
    beforeToken: await token('before', 'A'),
    afterToken: await token('after', 'B'),
  });
  // A new project becomes the one the app reopens on start; the other specs expect the demo.
  await apiCall(request, 'project.openDemo', {});
  return project;
}

test('after decisions, sort by the learnt rank and see why a patch ranks high', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const project = await airchangeProject(request);
  await page.goto(`/?project=${project.id}`);
  await expect(page.getByTestId('project-name-label')).toHaveText('Learnt queue');
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });
  await page.keyboard.press('Escape');

  // Before any decision: "—", and the tooltip says how many are needed.
  const firstCell = rows.first().getByTestId('learnt-cell');
  await expect(firstCell).toHaveText('—');
  await expect(firstCell).toHaveAttribute('title', /needs 20 decisions.*20 more to go/);

  // Two decisions by key (C, then X with a comment).
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  for (const key of ['c', 'x']) {
    const selected = page.locator('[data-testid="patch-row"][aria-selected="true"]');
    const id = await selected.getAttribute('data-patch-id');
    await page.keyboard.press(key);
    if (key === 'x') {
      await page.getByTestId('comment-input').fill('not a change');
      await page.keyboard.press('Enter');
    }
    await expect(page.locator(`[data-testid="patch-row"][data-patch-id="${id}"]`)).toHaveAttribute(
      'data-state',
      key === 'c' ? 'confirmed' : 'rejected',
    );
    await expect(selected).not.toHaveAttribute('data-patch-id', id as string);
  }
  await expect(firstCell).toHaveAttribute('title', /18 more to go/);

  // Twenty more through the API: the larger open patches confirmed, the smaller rejected.
  const patches = await apiCall<PatchView[]>(request, 'patches.list', { projectId: project.id });
  const open = patches
    .filter((p) => p.state === 'unreviewed' && p.origin === 'model')
    .sort((a, b) => b.areaM2 - a.areaM2 || a.number - b.number);
  expect(open.length, 'the demo detection leaves enough patches to decide').toBeGreaterThan(24);
  const review = (list: PatchView[], state: string) =>
    apiCall(request, 'patches.reviewMany', {
      projectId: project.id,
      patchIds: list.map((p) => p.id),
      state,
    });
  await review(open.slice(0, 10), 'confirmed');
  await review(open.slice(-10), 'rejected');

  // The UI learns of those decisions on reload; sort by the learnt rank.
  await page.goto(`/?project=${project.id}`);
  await expect(page.getByTestId('project-name-label')).toHaveText('Learnt queue');
  await page.getByTestId('filter-state').selectOption('unreviewed');
  await page.getByTestId('queue-sort').selectOption('learnt');
  await expect(firstCell).toHaveText(/^\d+%$/);
  await expect(firstCell).toHaveAttribute('title', /from 11 confirmed and 11 rejected patches/);

  // One more decision by key: the ranking is refitted and the column follows.
  await rows.first().click();
  await page.keyboard.press('c');
  await expect(firstCell).toHaveAttribute('title', /from 12 confirmed and 11 rejected patches/);

  // Sorted by the learnt probability, highest first.
  const shown = await rows.getByTestId('learnt-cell').allTextContents();
  const values = shown.slice(0, 8).map((t) => Number(t.replace('%', '')));
  expect(values.length).toBeGreaterThan(2);
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);

  // The first one says why it ranks where it does.
  await rows.first().click();
  const reason = page.getByTestId('rank-reason');
  await expect(reason).toContainText(/Ranked (high|low) \(\d+ % likely confirmed\) because: /);
  await expect(reason).toContainText(/\([+−]\d\.\d\)/);
  await page.screenshot({ path: join(ARTIFACTS, 'learnt-queue.png') });
  expect(errors).toEqual([]);
});
