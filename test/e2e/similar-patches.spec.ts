/// <reference lib="dom" />
/**
 * Patch codes in the real UI (HTTP transport): detect on the demo, press O on a patch to list
 * similar ones, go to one with Enter; then a second detection run finds the confirmed patch again,
 * the API offers its decision as the carry-over, inherit copies it and one undo takes it back.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = 'test/artifacts/e2e';

test('find similar patches and inherit an earlier decision', async ({ page, request }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto('/');
  await expect(page.getByTestId('map')).toBeVisible();
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });

  // O: similar patches, nearest first; Enter on the first goes to it.
  await rows.first().click();
  await page.keyboard.press('o');
  const list = page.getByTestId('similar-list');
  await expect(list.locator('button').first()).toBeVisible({ timeout: 60_000 });
  const target = await list.locator('button').first().getAttribute('data-patch-id');
  await page.keyboard.press('Enter');
  await expect(
    page.locator(`[data-testid="patch-row"][data-patch-id="${target}"]`),
  ).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: join(ARTIFACTS, 'similar-01-list.jpg'), quality: 80 });

  // Confirm it with a class, run detection again: the re-detection is a duplicate (hidden) ...
  await page.keyboard.press('c');
  await page.keyboard.press('1');
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  // The dialog closes itself when the run is stored and coded.
  await expect(page.getByTestId('detect-dialog')).toBeHidden({ timeout: 150_000 });

  // ... and the API offers its earlier decision, which inherit copies in one undoable step.
  const project = (await (await request.post('/api/project.openDemo', { data: {} })).json()) as {
    id: string;
  };
  const listed = await request.post('/api/patches.queue', {
    data: { projectId: project.id, filter: { includeLinked: true }, limit: 1000 },
  });
  const page1 = (await listed.json()) as { items: { id: string; linkedTo?: string[] }[] };
  const again = page1.items.find((p) => p.linkedTo?.includes(target ?? ''));
  expect(again, 'the second run re-detects the confirmed patch').toBeDefined();
  const hint = await request.post('/api/patches.carryOver', {
    data: { projectId: project.id, patchId: again!.id },
  });
  expect(((await hint.json()) as { earlier: { id: string } }).earlier.id).toBe(target);
  const state = async (patchId: string) =>
    (
      (await (
        await request.post('/api/patches.get', { data: { projectId: project.id, patchId } })
      ).json()) as { state: string }
    ).state;
  expect(await state(again!.id)).toBe('unreviewed');
  const inherited = await request.post('/api/patches.inherit', {
    data: { projectId: project.id, patchId: again!.id },
  });
  expect(inherited.ok(), await inherited.text()).toBe(true);
  expect(await state(again!.id)).toBe('confirmed');
  await request.post('/api/history.undo', { data: { projectId: project.id } });
  expect(await state(again!.id)).toBe('unreviewed');
});
