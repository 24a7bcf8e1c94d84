/// <reference lib="dom" />
/**
 * The carry-over hint on a re-run (issue 19: "never appeared"): on a copy of the demo, detect and
 * confirm every patch; detect again at a lower threshold, so the model outlines the same changes
 * larger. A re-detection on the same outline stays hidden behind the decision; one that grew
 * comes back to the queue with the earlier decision offered ("Earlier round: … press P"), and P
 * takes it over in one undoable step.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall as api } from './api-call.js';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';

interface Queue {
  total: number;
  items: { id: string; number: number; state: string }[];
}

test('a re-run offers the earlier decision at a decided place (key P)', async ({
  page,
  request,
}) => {
  test.setTimeout(400_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const { id: projectId } = await createDemoCopy(request, 'Carry-over');
  const unreviewed = () =>
    api<Queue>(request, 'patches.queue', {
      projectId,
      filter: { states: ['unreviewed'] },
      limit: 100,
    });
  const runs = async () =>
    (await api<{ runs: unknown[] }>(request, 'project.get', { projectId })).runs.length;

  await api(request, 'detect.start', { projectId, device: 'cpu', threshold: 0.5 });
  await expect.poll(runs, { timeout: 150_000, intervals: [2000] }).toBe(1);
  await expect.poll(async () => (await unreviewed()).total, { timeout: 60_000 }).toBeGreaterThan(0);
  await api(request, 'patches.reviewMany', {
    projectId,
    filter: { states: ['unreviewed'] },
    state: 'confirmed',
    comment: 'new house, seen on site',
  });
  expect((await unreviewed()).total).toBe(0);

  // The re-run: links are judged by code and outline once the run is coded.
  await api(request, 'detect.start', { projectId, device: 'cpu', threshold: 0.3 });
  await expect.poll(runs, { timeout: 150_000, intervals: [2000] }).toBe(2);
  await expect
    .poll(async () => (await unreviewed()).total, { timeout: 120_000, intervals: [2000] })
    .toBeGreaterThan(0);

  // Find a queued re-detection whose earlier decision is offered (a close code).
  let offered: { id: string; number: number } | undefined;
  for (const p of (await unreviewed()).items) {
    const hint = await api<{ close: boolean } | null>(request, 'patches.carryOver', {
      projectId,
      patchId: p.id,
    });
    if (hint?.close) {
      offered = p;
      break;
    }
  }
  expect(offered, 'a grown re-detection of a confirmed change is queued with a hint').toBeDefined();

  await page.goto(`/?project=${projectId}`);
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('g');
  await page.getByTestId('comment-input').fill(String(offered!.number));
  await page.keyboard.press('Enter');
  const row = page.locator(`[data-testid="patch-row"][data-patch-id="${offered!.id}"]`);
  await expect(row).toHaveAttribute('aria-selected', 'true');
  const hint = page.getByTestId('carry-over');
  await expect(hint).toBeVisible({ timeout: 30_000 });
  await expect(hint).toContainText(/Earlier round: confirmed/i);
  await page.screenshot({ path: join(ARTIFACTS, 'carry-over-01-hint.png') });

  await page.keyboard.press('p');
  await expect(row).toHaveAttribute('data-state', 'confirmed');
  await page.screenshot({ path: join(ARTIFACTS, 'carry-over-02-inherited.png') });
  await page.keyboard.press('Control+z');
  await expect(row).toHaveAttribute('data-state', 'unreviewed');
});
