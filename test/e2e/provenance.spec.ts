/// <reference lib="dom" />
/**
 * Provenance: on a demo copy with a detection run, a patch drawn by hand shows "drawn", no model
 * confidence, and exports without a model probability (CSV); a detected patch whose outline was
 * edited shows "edited" and goes back to the model's outline from its history panel (Y).
 */
import { expect, test } from './served.js';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall } from './api-call.js';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';

interface Patch {
  id: string;
  number: number;
  origin: string;
  edited: boolean;
  geometry: { coordinates: number[][][] };
}

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const api = apiCall;

test('a drawn patch shows "drawn" and exports no model probability; revert an edit', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const project = await createDemoCopy(request, 'Provenance');
  const projectId = project.id;
  await api(request, 'detect.start', { projectId, device: 'cpu' });
  await expect
    .poll(
      async () =>
        (await api<{ runs: unknown[] }>(request, 'project.get', { projectId })).runs.length,
      {
        timeout: 240_000,
        intervals: [2000],
      },
    )
    .toBeGreaterThan(0);
  const detected = await api<Patch[]>(request, 'patches.list', { projectId });
  expect(detected.length).toBeGreaterThan(0);

  // A patch drawn by hand, confirmed.
  const [minX, minY] = project.scenes.before.extent;
  const square = [
    [minX + 5, minY + 5],
    [minX + 25, minY + 5],
    [minX + 25, minY + 25],
    [minX + 5, minY + 25],
    [minX + 5, minY + 5],
  ];
  const drawnResult = await api<{ changed: Patch[] }>(request, 'patches.create', {
    projectId,
    geometry: { type: 'Polygon', coordinates: [square] },
    state: 'confirmed',
  });
  const drawn = drawnResult.changed[0];

  // A detected patch whose outline a person replaced with a small square inside its bounds.
  const model = detected[0];
  const ring = model.geometry.coordinates[0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const [cx, cy] = [
    (Math.min(...xs) + Math.max(...xs)) / 2,
    (Math.min(...ys) + Math.max(...ys)) / 2,
  ];
  const r = Math.max(
    1,
    Math.min(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) / 6,
  );
  await api(request, 'patches.setGeometry', {
    projectId,
    patchId: model.id,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [cx - r, cy - r],
          [cx + r, cy - r],
          [cx + r, cy + r],
          [cx - r, cy + r],
          [cx - r, cy - r],
        ],
      ],
    },
  });

  await page.goto(`/?project=${projectId}`);
  await expect(page.getByTestId('queue-count')).toHaveAttribute(
    'data-total',
    String(detected.length + 1),
  );
  const goTo = async (n: number) => {
    await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('g');
    await page.getByTestId('comment-input').fill(String(n));
    await page.keyboard.press('Enter');
  };

  // The drawn patch: "drawn", no confidence in the queue or the details.
  await goTo(drawn.number);
  const drawnRow = page.locator(`[data-testid="patch-row"][data-patch-id="${drawn.id}"]`);
  await expect(drawnRow).toHaveAttribute('aria-selected', 'true');
  await expect(drawnRow).toHaveAttribute('data-source', 'drawn');
  await expect(drawnRow.locator('.col-conf')).toHaveText('—');
  // Without a model probability it ranks after every detection, not first at "100 %".
  await expect(page.getByTestId('patch-row').last()).toHaveAttribute('data-patch-id', drawn.id);
  await expect(page.getByTestId('patch-source')).toHaveAttribute('data-source', 'drawn');
  await expect(page.getByTestId('patch-source')).toContainText('drawn by hand');
  await page.screenshot({ path: join(ARTIFACTS, 'provenance-01-drawn.png') });

  // Exported as CSV: no model probability for the drawn patch, the model's for the others.
  const exported = await api<{ location: string; fileName: string }>(request, 'export.run', {
    projectId,
    format: 'csv',
    profile: 'landwatch',
  });
  // The download is one zip of the .csv with its .csvt and .prj, as the CLI writes them.
  const zip = await (await request.get(exported.location)).body();
  expect(zip.subarray(0, 2).toString()).toBe('PK');
  const base = exported.fileName.replace(/\.csv$/, '');
  for (const part of ['.csv', '.csvt', '.prj']) expect(zip.includes(base + part)).toBe(true);
  const dir = join(process.env.LANDWATCH_E2E_HOME ?? '', 'exports');
  const csvPath = readdirSync(dir)
    .map((d) => join(dir, d, exported.fileName))
    .find((p) => existsSync(p));
  const csv = readFileSync(csvPath ?? '', 'utf8');
  const table = parseCsv(csv.replace(/^\uFEFF/, ''));
  const header = table[0];
  const col = (name: string) => header.indexOf(name);
  const rowOf = (id: string) => table.find((r) => r[col('patch_id')] === id) ?? [];
  const drawnCells = rowOf(drawn.id);
  expect(drawnCells[col('mean_prob')]).toBe('');
  expect(drawnCells[col('source')]).toContain('drawn');
  expect(rowOf(model.id)[col('source')]).toContain('edited');

  // The edited patch: "edited"; its history reverts it to the model's outline.
  await goTo(model.number);
  await expect(page.getByTestId('patch-source')).toHaveAttribute('data-source', 'edited');
  await page.keyboard.press('y');
  await expect(page.getByTestId('history-entry').first()).toBeVisible();
  await expect(page.getByTestId('revert-outline').first()).toBeVisible();
  await page.getByTestId('revert-model').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'provenance-02-history.png') });
  await page.getByTestId('revert-model').click();
  await expect
    .poll(
      async () =>
        (await api<Patch>(request, 'patches.get', { projectId, patchId: model.id })).edited,
    )
    .toBe(false);
  const back = await api<Patch>(request, 'patches.get', { projectId, patchId: model.id });
  expect(back.geometry.coordinates).toEqual(model.geometry.coordinates);
  await expect(page.getByTestId('patch-source')).toHaveAttribute('data-source', 'model');
  await page.screenshot({ path: join(ARTIFACTS, 'provenance-03-reverted.png') });
});
