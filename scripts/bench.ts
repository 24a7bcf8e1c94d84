/**
 * `npm run bench`: runs `landwatch detect` as a user would (a separate process each time) on real
 * and demo pairs and prints a table of wall time, throughput and peak memory. Not a test: numbers
 * depend on the machine.
 *   npm run bench [-- --device cpu] [--repeat 1]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'auto' },
    data: { type: 'string', default: process.env.LANDWATCH_DATA ?? join('..', 'shared', 'data') },
  },
});
const out = mkdtempSync(join(tmpdir(), 'lw-bench-'));
execFileSync(process.execPath, ['bin/landwatch.js', 'demo', '--dir', join(out, 'demo')], {
  stdio: 'ignore',
});
const pairs: { name: string; before: string; after: string }[] = [
  {
    name: 'demo 1024² RGB 0.5 m',
    before: join(out, 'demo', 'demo-before-2023-04-18.tif'),
    after: join(out, 'demo', 'demo-after-2024-05-02.tif'),
  },
];
const nanjing = join(values.data as string, 'geotiff', 'landsat-nanjing');
if (existsSync(nanjing)) {
  pairs.push({
    name: 'Nanjing Landsat 800² ×6 bands',
    before: join(nanjing, 'Nanjing_LT51200382000124BJC00_Nanjing.tif'),
    after: join(nanjing, 'Nanjing_LT51200382002193BJC00_Nanjing.tif'),
  });
} else {
  console.warn(`bench: ${nanjing} not found; only the demo pair is measured`);
}

console.log(
  '| pair | EP | process s | detect s | infer s | MP/s (pair) | peak RSS MB | polygons |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const p of pairs) {
  const args = [
    'bin/landwatch.js',
    'detect',
    '--before',
    p.before,
    '--after',
    p.after,
    '--out',
    join(out, `${pairs.indexOf(p)}.gpkg`),
    '--overwrite',
    '--quiet',
    '--stats',
    '--device',
    values.device as string,
  ];
  const t0 = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const processSeconds = (performance.now() - t0) / 1000;
  const line = run.stderr.split('\n').find((l) => l.startsWith('stats: '));
  if (run.status !== 0 || !line) {
    console.log(`| ${p.name} | failed: ${run.stderr.trim().split('\n').pop()} |`);
    continue;
  }
  const st = JSON.parse(line.slice(7)) as {
    wallSeconds: number;
    inferSeconds: number;
    peakRssMB: number;
    pixels: number;
    executionProvider: string;
    polygons: number;
  };
  const mps = st.pixels / 1e6 / st.inferSeconds;
  console.log(
    `| ${p.name} | ${st.executionProvider} | ${processSeconds.toFixed(2)} | ${st.wallSeconds.toFixed(2)} | ${st.inferSeconds.toFixed(2)} | ${mps.toFixed(2)} | ${st.peakRssMB.toFixed(0)} | ${st.polygons} |`,
  );
}
