/**
 * `npm run bench:prep`: the CPU the engine spends preparing model inputs, without the model. Walks
 * every tile of a scene pair as a full sweep does and builds its inputs (read, decode, normalise,
 * no-data fill) four ways: the general Float32 path or the 8-bit table path, each with fresh
 * arrays per tile or the run's buffer pool; then crops and blends a constant "probability" as the
 * tile loop does. Prints CPU seconds per phase and the garbage collector's share. Not a test: the
 * figures depend on the machine and what else runs on it; CPU time (not wall time) is what a
 * shared machine lets one compare.
 *
 *   npm run bench:prep -- --before a.tif --after b.tif [--rounds 2] [--fast-only]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BandBlender } from '../electron/engine/inference/band-blender.js';
import { BufferPool } from '../electron/engine/inference/buffer-pool.js';
import { openInputs } from '../electron/engine/inference/detect-inputs.js';
import { tileFeeds } from '../electron/engine/inference/tile-feeds.js';
import type { DateInput } from '../electron/engine/inference/tile-predict.js';
import { windowAxes } from '../electron/engine/inference/tile-rows.js';
import { axisTile } from '../electron/engine/inference/tiling.js';
import { PhaseClock } from '../electron/engine/inference/phase-clock.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    /** Only the 8-bit table path with the pool (what detection uses), e.g. for a profile. */
    'fast-only': { type: 'boolean', default: false },
  },
});
if (!values.before || !values.after) {
  console.error(
    'bench:prep: --before and --after are required (e.g. scenes from npm run bench -- --keep)',
  );
  process.exit(2);
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const inputs = await openInputs({
  beforePath: values.before,
  afterPath: values.after,
  device: 'cpu' as never,
});
const { card, alignment } = inputs;
const axes = windowAxes(card, alignment.width, alignment.height);

/** A date as the general path sees it: the 8-bit table read hidden. */
const general = (d: DateInput): DateInput => ({
  ...d,
  source: { info: d.source.info, readWindow: d.source.readWindow.bind(d.source) },
});

async function sweep(tables: boolean, pooled: boolean) {
  const dates: [DateInput, DateInput] = tables
    ? inputs.dates
    : [general(inputs.dates[0]), general(inputs.dates[1])];
  const clock = new PhaseClock();
  const pool = pooled ? new BufferPool() : undefined;
  const blender = new BandBlender({
    axes,
    width: alignment.width,
    height: alignment.height,
    overlap: card.tile.overlap,
    active: () => true,
  });
  const [before, after] = [inputs.before, inputs.after];
  before.releaseCache();
  after.releaseCache();
  gcMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let row = 0; row < axes.ys.length; row++) {
    for (let col = 0; col < axes.xs.length; col++) {
      const tile = axisTile(axes, row, col);
      const feeds = await tileFeeds(card, dates, alignment, tile, undefined, clock, pool);
      const start = performance.now();
      const n = tile.width * tile.height;
      const prob = pool ? pool.floats(n) : new Float32Array(n);
      const inv = pool ? pool.bytes(n) : new Uint8Array(n);
      for (let r = 0; r < tile.height; r++) {
        prob.fill(0.5, r * tile.width, (r + 1) * tile.width);
        inv.set(feeds.invalid.subarray(r * feeds.pw, r * feeds.pw + tile.width), r * tile.width);
      }
      blender.add(row, col, prob, inv);
      if (pool) pool.give([...(feeds.pooled ?? []), prob, inv]);
      clock.since('blend', start);
    }
    const done = row + 1 < axes.ys.length ? axes.ys[row + 1] : alignment.height;
    while (done > blender.top) blender.flush(Math.min(done, blender.top + 64));
  }
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50));
  return {
    wall: (performance.now() - t0) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    gc: gcMs / 1000,
    phases: clock.seconds(),
  };
}

const tiles = axes.xs.length * axes.ys.length;
console.log(
  `\nInput preparation over ${tiles} tiles of ${card.tile.size} px, ${alignment.width}×${alignment.height} px per date, no model (node ${process.version})\n`,
);
console.log(
  '| path | arrays | CPU s | wall s | GC s | read s | normalise s | blend s | CPU ms per tile |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [tables, pooled] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    if (values['fast-only'] && !(tables && pooled)) continue;
    const r = await sweep(tables, pooled);
    const p = r.phases;
    const f = (v: number | undefined) => (v ?? 0).toFixed(2);
    console.log(
      `| ${tables ? '8-bit tables' : 'Float32 + normalise'} | ${pooled ? 'pooled' : 'fresh'} | ${f(r.cpu)} | ${f(r.wall)} | ${f(r.gc)} | ${f(p.read)} | ${f(p.normalise)} | ${f(p.blend)} | ${((1000 * r.cpu) / tiles).toFixed(1)} |`,
    );
  }
}
inputs.before.close();
inputs.after.close();
