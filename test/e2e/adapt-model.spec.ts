/// <reference lib="dom" />
/**
 * The model learns the county from the analyst, in the real UI: review a project's patches, mark
 * the scene reviewed, adapt (progress, summary), re-run detection — the Detect dialog offers the
 * adapted model first and the run list names it — and a second project never gets the first
 * project's adapted model.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';

test('review, adapt, re-run with the adapted model; another project keeps its own', async ({
  page,
  request,
}) => {
  test.setTimeout(600_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const project = await createDemoCopy(request, 'Adapt county A');
  const other = await createDemoCopy(request, 'Adapt county B');

  await page.goto(`/?project=${project.id}`);
  await expect(page.getByTestId('project-name-label')).toHaveText('Adapt county A');
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });
  await page.keyboard.press('Escape');

  // Confirm three patches, reject two (C / X), with the keyboard.
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  for (const key of ['c', 'c', 'c', 'x', 'x']) {
    const selected = page.locator('[data-testid="patch-row"][aria-selected="true"]');
    const id = await selected.getAttribute('data-patch-id');
    await page.keyboard.press(key);
    if (key === 'x') {
      const comment = page.getByTestId('comment-input');
      await expect(comment).toBeVisible();
      await comment.fill('not a change');
      await page.keyboard.press('Enter');
    }
    await expect(page.locator(`[data-testid="patch-row"][data-patch-id="${id}"]`)).toHaveAttribute(
      'data-state',
      key === 'c' ? 'confirmed' : 'rejected',
    );
    // Deciding moves the selection on before the next key.
    await expect(selected).not.toHaveAttribute('data-patch-id', id as string);
  }

  // A opens the adaptation: the summary counts the decisions; mark the scene reviewed; adapt.
  await page.keyboard.press('a');
  const dialog = page.getByTestId('adapt-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('adapt-summary')).toContainText('Change: 3 confirmed or drawn');
  await expect(page.getByTestId('adapt-summary')).toContainText('No change: 2 rejected');
  await page.getByTestId('adapt-mark-reviewed').click();
  await expect(page.getByTestId('adapt-summary')).toContainText(
    'The whole scene is marked reviewed',
  );
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-progress')).toBeVisible();
  await expect(page.getByTestId('adapt-result')).toContainText("is now this project's model", {
    timeout: 400_000,
  });
  await expect(page.getByTestId('adapt-result')).toContainText(/Held-back decisions, pixel F1/);
  await page.screenshot({ path: join(ARTIFACTS, '20-adapted.jpg'), quality: 80 });
  const view = await (
    await request.post('/api/project.get', { data: { projectId: project.id } })
  ).json();
  const adaptedId = view.adaptedModelId as string;
  expect(adaptedId).toMatch(/^adapted-adapt-county-a-/);
  await page.keyboard.press('Escape');

  // The Detect dialog now offers the adapted model first; re-run with it.
  await page.getByTestId('detect-open').click();
  await expect(page.getByTestId('detect-model')).toHaveValue(adaptedId);
  await expect(page.getByTestId('detect-model').locator('option:checked')).toContainText(
    'adapted to this project',
  );
  await page.screenshot({ path: join(ARTIFACTS, '21-detect-adapted.jpg'), quality: 80 });
  await page.getByTestId('detect-start').click();
  await expect(
    page.getByTestId('filter-run').locator('option', { hasText: adaptedId }),
  ).toHaveCount(1, { timeout: 150_000 });
  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(ARTIFACTS, '22-rerun-adapted.jpg'), quality: 80 });
  const runs = (
    await (await request.post('/api/project.get', { data: { projectId: project.id } })).json()
  ).runs as { modelId: string }[];
  expect(runs.map((r) => r.modelId)).toContain(adaptedId);
  // Earlier decisions stand: the re-run's detections over them are linked, not new work.
  const summary = await (
    await request.post('/api/patches.summary', { data: { projectId: project.id } })
  ).json();
  expect(summary.byState.confirmed).toBe(3);
  expect(summary.byState.rejected).toBe(2);

  // The second project: no adapted model of its own, and the first one's is not its default.
  const otherView = await (
    await request.post('/api/project.get', { data: { projectId: other.id } })
  ).json();
  expect(otherView.adaptedModelId ?? null).toBeNull();
  const info = await (await request.post('/api/app.info', { data: {} })).json();
  expect(info.defaultModelId).not.toBe(adaptedId);
  await page.goto(`/?project=${other.id}`);
  await expect(page.getByTestId('project-name-label')).toHaveText('Adapt county B');
  await page.getByTestId('detect-open').click();
  await expect(page.getByTestId('detect-model')).toHaveValue(info.defaultModelId);
  await expect(
    page.getByTestId('detect-model').locator(`option[value="${adaptedId}"]`),
  ).toContainText('adapted to Adapt county A');
  expect(errors).toEqual([]);
});
