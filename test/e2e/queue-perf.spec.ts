/// <reference lib="dom" />
/**
 * The queue on a project with 10,000 patches (seeded through `patches.create`): how long J takes
 * from the key press to the next patch being selected (J asks the store through `patches.next`)
 * and drawn (the next animation frame). The
 * timings are written to test/artifacts/e2e/next-patch-timing.json; no timed assertion.
 */
import { expect, test } from './served.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';
const N = 10_000;

test('J on 10,000 patches', async ({ page, request }) => {
  test.setTimeout(600_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  const project = await createDemoCopy(request, 'Ten thousand patches');
  const [minX, minY, maxX, maxY] = project.scenes.before.extent;
  const side = Math.sqrt(N);
  const cw = (maxX - minX) / side;
  const ch = (maxY - minY) / side;
  const square = (i: number) => {
    const x = minX + (i % side) * cw + cw * 0.2;
    const y = minY + Math.floor(i / side) * ch + ch * 0.2;
    const w = cw * (0.3 + ((i * 7) % 5) * 0.1);
    const hgt = ch * 0.5;
    return [
      [
        [x, y],
        [x + w, y],
        [x + w, y + hgt],
        [x, y + hgt],
        [x, y],
      ],
    ];
  };
  const t0 = Date.now();
  for (let start = 0; start < N; start += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, N - start) }, (_, k) =>
        request.post('/api/patches.create', {
          data: {
            projectId: project.id,
            geometry: { type: 'Polygon', coordinates: square(start + k) },
            state: 'unreviewed',
          },
        }),
      ),
    );
  }
  const seedSeconds = (Date.now() - t0) / 1000;

  await page.goto(`/?project=${project.id}`);
  await expect(page.getByTestId('queue-count')).toHaveAttribute('data-total', String(N), {
    timeout: 120_000,
  });
  const rendered = await page.getByTestId('patch-row').count();
  expect(rendered).toBeLessThan(200);
  await page.getByTestId('map').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await page.waitForTimeout(500);

  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const ms = await page.evaluate(async () => {
      const before = document.querySelector('.patch-row.selected')?.getAttribute('data-patch-id');
      const start = performance.now();
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
      // J asks the store (patches.next) and selects its answer; wait for that frame by frame,
      // then one more frame for OpenLayers to draw.
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const selected = () =>
        document.querySelector('.patch-row.selected')?.getAttribute('data-patch-id');
      while (selected() === before && performance.now() - start < 5000) await frame();
      await frame();
      const after = selected();
      return after && after !== before ? performance.now() - start : -1;
    });
    expect(ms).toBeGreaterThanOrEqual(0);
    times.push(ms);
    await page.waitForTimeout(250); // let the zoom animation finish, as an analyst would
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const p90 = sorted[Math.floor(sorted.length * 0.9)];
  writeFileSync(
    join(ARTIFACTS, 'next-patch-timing.json'),
    JSON.stringify(
      {
        patches: N,
        presses: times.length,
        medianMs: median,
        p90Ms: p90,
        seedSeconds,
        rendered,
        times,
      },
      null,
      2,
    ),
  );
  console.log(
    `next patch on ${N} patches: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`,
  );
  await page.screenshot({ path: join(ARTIFACTS, 'queue-10000.jpg'), quality: 80 });
});
