/// <reference lib="dom" />
/**
 * The measure tool (Q) on the demo: a 100 m line reads 100.0 m, a 100 m square 10,000 m² and
 * 15.0 mu; a third Q ends it.
 */
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall } from './api-call.js';

const ARTIFACTS = 'test/artifacts/e2e';

test('measure a distance and an area', async ({ page, request }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const demo = await apiCall<{ scenes: { before: { extent: number[] } } }>(
    request,
    'project.openDemo',
    {},
  );
  const [x0, y0, x1, y1] = demo.scenes.before.extent;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  await page.goto('/?e2e');
  await expect(page.getByTestId('status-progress')).toBeVisible();
  const map = page.getByTestId('map');
  const pixelOf = (x: number, y: number) =>
    page.evaluate(
      (c) =>
        (
          window as unknown as { landwatchE2E: { pixelOf(c: number[]): number[] | null } }
        ).landwatchE2E.pixelOf(c),
      [x, y],
    );
  // The map has a view once the imagery opened.
  await expect.poll(async () => (await pixelOf(cx, cy)) !== null, { timeout: 60_000 }).toBe(true);
  const at = async (x: number, y: number) => {
    const pixel = (await pixelOf(x, y)) as number[];
    return { x: pixel[0], y: pixel[1] };
  };
  await map.click({ position: { x: 5, y: 5 } });
  const result = page.getByTestId('measure-result');

  await page.keyboard.press('q');
  await expect(result).toHaveAttribute('data-kind', 'distance');
  await map.click({ position: await at(cx - 50, cy) });
  await map.dblclick({ position: await at(cx + 50, cy) });
  await expect(result).toHaveText('100.0 m');
  await page.screenshot({ path: join(ARTIFACTS, 'measure-01-distance.png') });

  await page.keyboard.press('q');
  await expect(result).toHaveAttribute('data-kind', 'area');
  await map.click({ position: await at(cx - 50, cy - 50) });
  await map.click({ position: await at(cx + 50, cy - 50) });
  await map.click({ position: await at(cx + 50, cy + 50) });
  await map.dblclick({ position: await at(cx - 50, cy + 50) });
  await expect(result).toHaveText(/^10,0\d\d m² · 15\.\d mu$/);
  await page.screenshot({ path: join(ARTIFACTS, 'measure-02-area.png') });

  await page.keyboard.press('q');
  await expect(result).toBeHidden();
});
