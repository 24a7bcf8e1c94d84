/// <reference lib="dom" />
/**
 * Reference layers in the real UI (HTTP transport): detect on the demo, import a GeoJSON of
 * "approved construction" covering the western half of the scene through the typed-path import,
 * see it listed and drawn, read the selected patch's overlap, and filter the queue to the patches
 * entirely outside it; the rows shown must be the ones the API's filter returns.
 */
import { expect, test } from './served.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ARTIFACTS = 'test/artifacts/e2e';

test('import a reference layer and filter the queue by it', async ({ page, request }) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto('/');
  await expect(page.getByTestId('map')).toBeVisible();
  await page.getByTestId('detect-open').click();
  await page.getByTestId('detect-start').click();
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });

  const project = (await (await request.post('/api/project.openDemo', { data: {} })).json()) as {
    id: string;
    crs: string;
    scenes: { before: { extent: [number, number, number, number] } };
  };
  const [minX, minY, maxX, maxY] = project.scenes.before.extent;
  const midX = (minX + maxX) / 2;
  const dir = mkdtempSync(join(tmpdir(), 'landwatch-e2e-ref-'));
  const path = join(dir, 'approved.geojson');
  writeFileSync(
    path,
    JSON.stringify({
      type: 'FeatureCollection',
      crs: {
        type: 'name',
        properties: { name: `urn:ogc:def:crs:EPSG::${project.crs.replace('EPSG:', '')}` },
      },
      features: [
        {
          type: 'Feature',
          properties: { 名称: '批准用地（西区）' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [minX, minY],
                [midX, minY],
                [midX, maxY],
                [minX, maxY],
                [minX, minY],
              ],
            ],
          },
        },
      ],
    }),
  );

  await page.getByTestId('reference-kind').selectOption('approved_construction');
  await page.getByTestId('reference-name').fill('批准用地');
  await page.getByTestId('reference-path').fill(path);
  await page.getByTestId('reference-import').click();
  await expect(page.getByTestId('reference-item')).toHaveCount(1);
  await expect(page.getByTestId('reference-status')).toContainText(
    `1 features from ${project.crs}`,
  );

  // The selected patch lists its overlap with the layer.
  await rows.first().click();
  await expect(page.getByTestId('reference-overlaps')).toContainText('批准用地');

  // Queue: entirely outside approved construction, as the API's filter says.
  const layerId = await page.getByTestId('reference-item').getAttribute('data-layer-id');
  const outside = (await (
    await request.post('/api/patches.queue', {
      data: {
        projectId: project.id,
        filter: { referenceOverlap: { layerId, maxShare: 0 } },
        limit: 1000,
      },
    })
  ).json()) as { total: number; items: { id: string }[] };
  await page.getByTestId('reference-filter-mode').selectOption('outside');
  const allowed = new Set(outside.items.map((p) => p.id));
  // The list is windowed: every row in the DOM must be one the filter lets through.
  await expect
    .poll(async () => {
      const shown = await rows.evaluateAll((els) =>
        els.map((e) => e.getAttribute('data-patch-id')),
      );
      return shown.length > 0 === outside.total > 0 && shown.every((id) => allowed.has(id ?? ''));
    })
    .toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, 'reference-01-outside.jpg'), quality: 80 });

  // Hiding the layer keeps it listed; All patches brings every patch back.
  await page.getByTestId('reference-visible').uncheck();
  await expect(page.getByTestId('reference-item')).toHaveCount(1);
  await page.getByTestId('reference-filter-mode').selectOption('all');
});
