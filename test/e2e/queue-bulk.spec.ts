/// <reference lib="dom" />
/**
 * Review at scale on a project with 50 patches of different sizes (seeded through
 * `patches.create`): a Shift+click range and a Ctrl+click, select all matching (Ctrl+A), reject
 * all 50 in one step and undo that in one step; sort by area; go to a patch number (G).
 */
import { expect, test } from './served.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall } from './api-call.js';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';
const N = 50;

const api = apiCall;

test('select 50 patches, reject them in one step, undo in one step; sort by area', async ({
  page,
  request,
}) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const project = await createDemoCopy(request, 'Fifty patches');
  const [minX, minY, sceneMaxX] = project.scenes.before.extent;
  // A 10 × 5 grid over the scene (the shipped demo is 400 m wide) of squares whose sides grow
  // with (i * 7) % N: areas all differ, unordered, and no two squares touch.
  const step = (sceneMaxX - minX - 20) / 10;
  for (let i = 0; i < N; i++) {
    const x = minX + 10 + (i % 10) * step;
    const y = minY + 10 + Math.floor(i / 10) * step;
    const side = 5 + ((i * 7) % N) * ((step - 6) / N);
    await api(request, 'patches.create', {
      projectId: project.id,
      state: 'unreviewed',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [x, y],
            [x + side, y],
            [x + side, y + side],
            [x, y + side],
            [x, y],
          ],
        ],
      },
    });
  }
  await page.goto(`/?project=${project.id}`);
  const count = page.getByTestId('queue-count');
  await expect(count).toHaveAttribute('data-total', String(N));
  const rows = page.getByTestId('patch-row');
  const bulk = page.getByTestId('bulk-count');

  // A range with Shift+click, one more with Ctrl+click.
  await rows.nth(0).click();
  await rows.nth(4).click({ modifiers: ['Shift'] });
  await expect(bulk).toHaveAttribute('data-count', '5');
  await rows.nth(6).click({ modifiers: ['ControlOrMeta'] });
  await expect(bulk).toHaveAttribute('data-count', '6');
  await expect(page.locator('.patch-row.marked')).toHaveCount(6);
  await page.screenshot({ path: join(ARTIFACTS, 'queue-01-range-selected.png') });
  await page.keyboard.press('Escape');
  await expect(bulk).toHaveAttribute('data-count', '0');

  // Select all matching (Ctrl+A) and reject them in one step.
  await page.keyboard.press('ControlOrMeta+a');
  await expect(bulk).toHaveAttribute('data-count', String(N));
  await page.getByTestId('bulk-reject').click();
  await page.getByTestId('comment-input').fill('roof repairs, not new construction');
  await page.keyboard.press('Enter');
  const summary = page.getByTestId('queue-summary');
  await expect(summary).toContainText(`0 open · 0 confirmed · ${N} rejected`);
  await page.screenshot({ path: join(ARTIFACTS, 'queue-02-bulk-rejected.png') });
  const history = await api<{ entries: { summary: string; patchIds: string[] }[] }>(
    request,
    'history.list',
    { projectId: project.id, limit: 1 },
  );
  expect(history.entries[0].patchIds).toHaveLength(N);

  // One Ctrl+Z takes all 50 back.
  await page.keyboard.press('ControlOrMeta+z');
  await expect(summary).toContainText(`${N} open · 0 confirmed · 0 rejected`);
  const patches = await api<{ id: string; state: string; areaM2: number }[]>(
    request,
    'patches.list',
    {
      projectId: project.id,
    },
  );
  expect(patches.filter((p) => p.state === 'unreviewed')).toHaveLength(N);

  // Sort by area: largest first, in the list as shown and for J.
  await page.getByTestId('queue-sort').selectOption('area');
  const byArea = [...patches].sort((a, b) => b.areaM2 - a.areaM2);
  await expect(rows.nth(0)).toHaveAttribute('data-patch-id', byArea[0].id);
  await expect(rows.nth(1)).toHaveAttribute('data-patch-id', byArea[1].id);
  await expect(rows.nth(2)).toHaveAttribute('data-patch-id', byArea[2].id);
  // The list may render again just after the sort (a click on a row being replaced is lost):
  // click until the first row is the selection, then step from it.
  await expect(async () => {
    await rows.nth(0).click();
    await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true', { timeout: 2000 });
  }).toPass();
  await page.keyboard.press('j');
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: join(ARTIFACTS, 'queue-03-sorted-by-area.png') });

  // Sort by reference overlap: a layer over the western half; patches outside it come first.
  const half = (minX + sceneMaxX) / 2;
  const layerFile = join(process.env.LANDWATCH_E2E_HOME ?? '', 'west-half.geojson');
  const [, , , maxY] = project.scenes.before.extent;
  writeFileSync(
    layerFile,
    JSON.stringify({
      type: 'Polygon',
      crs: { type: 'name', properties: { name: project.crs } },
      coordinates: [
        [
          [minX, minY],
          [half, minY],
          [half, maxY],
          [minX, maxY],
          [minX, minY],
        ],
      ],
    }),
  );
  await apiCall(request, 'reference.import', {
    projectId: project.id,
    kind: 'approved_construction',
    path: layerFile,
  });
  const withGeometry = await api<
    { id: string; areaM2: number; geometry: { coordinates: number[][][] } }[]
  >(request, 'patches.list', { projectId: project.id });
  // Outside first, then by rank; drawn patches have no probability, so rank ties go by number.
  // (The area order shown before starts with another patch, so a stale order cannot pass.)
  const outside = withGeometry
    .filter((p) => p.geometry.coordinates[0][0][0] >= half)
    .sort((p, q) => Number(p.id) - Number(q.id));
  await expect(rows.nth(0)).not.toHaveAttribute('data-patch-id', outside[0].id);
  await page.getByTestId('queue-sort').selectOption('reference');
  await expect(rows.nth(0)).toHaveAttribute('data-patch-id', outside[0].id);
  await page.getByTestId('queue-sort').selectOption('area');

  // Go to a patch number.
  const target = byArea[N - 1] as { id: string; number?: number };
  const numbered = await api<{ number: number }>(request, 'patches.get', {
    projectId: project.id,
    patchId: target.id,
  });
  await page.keyboard.press('g');
  await page.getByTestId('comment-input').fill(String(numbered.number));
  await page.keyboard.press('Enter');
  await expect(
    page.locator(`[data-testid="patch-row"][data-patch-id="${target.id}"]`),
  ).toHaveAttribute('aria-selected', 'true');

  // A note typed after N and ended with Enter is saved; the keys then belong to the desk again.
  await page.keyboard.press('n');
  await page.keyboard.type('roof repaired');
  await page.keyboard.press('Enter');
  await expect
    .poll(
      async () =>
        (
          await api<{ attributes: { note: string | null } }>(request, 'patches.get', {
            projectId: project.id,
            patchId: target.id,
          })
        ).attributes.note,
    )
    .toBe('roof repaired');
  await expect(page.getByTestId('attr-note')).not.toBeFocused();
});
