/// <reference lib="dom" />
/**
 * The queue learns, in the real UI: after a detection the Learnt column shows "—" and says how
 * many decisions are missing; after 20+ decisions (two by keys, the rest through the API the UI
 * uses, the last by key again so the UI refreshes as it does after every decision) the column shows
 * probabilities, the "Rank learnt" sort puts the likeliest first, and the selected patch says why
 * it ranks high.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PatchView } from '../../electron/common/contract.js';
import { apiCall } from './api-call.js';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';

test('after decisions, sort by the learnt rank and see why a patch ranks high', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const project = await createDemoCopy(request, 'Learnt queue');
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

  // One more decision by key: the UI refreshes the ranking as after every decision.
  await page.getByTestId('filter-state').selectOption('unreviewed');
  await rows.first().click();
  await page.keyboard.press('c');
  await page.getByTestId('queue-sort').selectOption('learnt');
  await expect(firstCell).toHaveText(/^\d+%$/);
  await expect(firstCell).toHaveAttribute('title', /likely to be confirmed \(from \d+ confirmed/);

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
