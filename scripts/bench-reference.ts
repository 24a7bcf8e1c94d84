/**
 * Benchmarks reference layers through the backend (as the UI calls it): importing a 1,600-parcel
 * layer with holes into a project of 10,000 patches (reprojection, R*Tree candidates, overlap of
 * every patch), a request with nothing to recompute, an edit and the request that recomputes its
 * overlaps, and queue pages filtered and ranked by the overlap. Prints one table.
 *
 * Usage: npx tsx scripts/bench-reference.ts
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../electron/engine/api/backend.js';
import { testHost } from '../test/helpers/host.js';
import { detection, newRun, rectRing, tempProject } from '../test/unit/store/fixtures.js';

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { store, path, dir } = tempProject('bench-reference');
process.env.LANDWATCH_HOME = join(dir, 'home');
// 10,000 patches: a 100 × 100 grid of 4 × 4 m squares every 5 m.
const detections = [];
for (let i = 0; i < 100; i++) {
  for (let j = 0; j < 100; j++) {
    detections.push(detection(i * 5, j * 5, i * 5 + 4, j * 5 + 4, 0.5 + ((i + j) % 50) / 100));
  }
}
store.addRun(newRun(), detections);
store.close();
// 1,600 parcels of 12.5 m, each with a 2 m hole.
const features = [];
for (let i = 0; i < 40; i++) {
  for (let j = 0; j < 40; j++) {
    const [x, y] = [i * 12.5, j * 12.5];
    features.push({
      type: 'Feature',
      properties: { zdh: `${i}-${j}` },
      geometry: {
        type: 'Polygon',
        coordinates: [
          rectRing(x, y, x + 12.5, y + 12.5),
          rectRing(x + 5, y + 5, x + 7, y + 7).reverse(),
        ],
      },
    });
  }
}
const file = join(dir, 'parcels.geojson');
writeFileSync(
  file,
  JSON.stringify({
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:32650' } },
    features,
  }),
);

const backend = new Backend(testHost());
const projectId = backend.projects.open(path);
const call = (channel: string, payload: Record<string, unknown> = {}) =>
  backend.handle(channel, { projectId, ...payload });
const rows: [string, string][] = [];

await call('patches.summary');
let t0 = performance.now();
const layer = (await call('reference.import', { kind: 'parcels', path: file })) as { id: string };
rows.push(['import 1,600 parcels + overlaps of 10,000 patches', `${(ms(t0) / 1000).toFixed(2)} s`]);
const idle: number[] = [];
for (let k = 0; k < 20; k++) {
  t0 = performance.now();
  await call('patches.summary');
  idle.push(ms(t0));
}
rows.push([
  'patches.summary, nothing to recompute (median of 20)',
  `${median(idle).toFixed(1)} ms`,
]);
t0 = performance.now();
await call('patches.setGeometry', {
  patchId: '5',
  geometry: { type: 'Polygon', coordinates: [rectRing(20, 0, 30, 9)] },
});
rows.push(['patches.setGeometry', `${ms(t0).toFixed(1)} ms`]);
t0 = performance.now();
await call('patches.summary');
rows.push(['next request (recomputes the edited patch)', `${ms(t0).toFixed(1)} ms`]);
const filters: [string, Record<string, unknown>][] = [
  ['queue page, no filter', {}],
  [
    'queue page, entirely outside the layer',
    { referenceOverlap: { layerId: layer.id, maxShare: 0 } },
  ],
  ['queue page, ≥ 50 % inside', { referenceOverlap: { layerId: layer.id, minShare: 0.5 } }],
  [
    'queue page, ranked by area outside',
    { referenceOverlap: { layerId: layer.id, rankOutside: true } },
  ],
];
for (const [name, filter] of filters) {
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    t0 = performance.now();
    await call('patches.queue', { filter, limit: 100 });
    times.push(ms(t0));
  }
  rows.push([`${name} (median of 5)`, `${median(times).toFixed(1)} ms`]);
}
await backend.dispose();
rmSync(dir, { recursive: true, force: true });

console.log(`\nReference layers, 10,000 patches × 1,600 parcels (Node ${process.version})\n`);
console.log('| step | time |\n| --- | --- |');
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
