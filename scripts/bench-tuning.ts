/**
 * `npm run bench:tuning`: how detection should run its model, chosen by measurement. One bench
 * scene (scripts/bench-scene.ts), a full sweep by `landwatch detect` in its own process per
 * variant — session in its own thread or not, ORT intra-op threads, idle threads spinning or
 * sleeping, ORT's memory arena and memory patterns — each variant run `--rounds` times, interleaved,
 * so a load that comes and goes on the machine spreads over all of them. Prints the best and median
 * wall time, the model phase and the highest peak RSS per variant. Not a test.
 *
 *   npm run bench:tuning [-- --size 4096] [--rounds 2] [--source <real RGB GeoTIFF>]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchScene } from './bench-scene.js';
import { landwatchArgs, landwatchEnv } from './landwatch-command.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '4096' },
    rounds: { type: 'string', default: '2' },
    data: { type: 'string', default: process.env.LANDWATCH_DATA ?? join('..', 'shared', 'data') },
    source: { type: 'string' },
  },
});
const source = values.source ?? join(values.data as string, 'geotiff', 'vhr', 'dop-rgb.tif');
const size = Number(values.size);
const rounds = Math.max(1, Number(values.rounds));
const variants: { name: string; env: Record<string, string> }[] = [
  { name: 'in-process, ORT default threads', env: { LANDWATCH_SESSION_THREAD: '0' } },
  { name: 'session thread, idle threads sleep', env: { LANDWATCH_SESSION_THREAD: '1' } },
  {
    name: 'session thread, idle threads spin',
    env: { LANDWATCH_SESSION_THREAD: '1', LANDWATCH_ORT_SPIN: '1' },
  },
  {
    name: 'session thread, 1 intra-op thread',
    env: { LANDWATCH_SESSION_THREAD: '1', LANDWATCH_ORT_THREADS: '1' },
  },
  {
    name: 'session thread, no ORT memory arena',
    env: { LANDWATCH_SESSION_THREAD: '1', LANDWATCH_ORT_ARENA: '0' },
  },
  {
    name: 'session thread, arena with memory patterns',
    env: { LANDWATCH_SESSION_THREAD: '1', LANDWATCH_ORT_PATTERN: '1' },
  },
];
const out = mkdtempSync(join(tmpdir(), 'lw-tuning-'));
const runs = new Map<string, { wall: number; model: number; rss: number }[]>();
try {
  const scene = await writeBenchScene(source, out, size);
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      const args = ['detect', '--before', scene.before, '--after', scene.after];
      args.push('--out', join(out, 'o.gpkg'), '--work-dir', join(out, 'work'), '--overwrite');
      args.push('--quiet', '--stats', '--fresh', '--full-sweep', '--device', 'cpu');
      const run = spawnSync(process.execPath, landwatchArgs(args), {
        encoding: 'utf8',
        env: { ...landwatchEnv(), ...v.env },
      });
      const line = run.stderr.split('\n').find((l) => l.startsWith('stats: '));
      if (run.status !== 0 || !line) throw new Error(`detect (${v.name}) failed: ${run.stderr}`);
      const stats = JSON.parse(line.slice(7));
      const list = runs.get(v.name) ?? [];
      list.push({
        wall: stats.wallSeconds,
        model: stats.phases?.model ?? NaN,
        rss: stats.peakRssMB,
      });
      runs.set(v.name, list);
      console.error(`bench: ${v.name}: ${stats.wallSeconds} s`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`\nModel tuning, full sweep of a ${size}² pair, ${rounds} interleaved rounds (cpu)\n`);
console.log('| variant | best s | median s | model phase s (median) | peak RSS MB (highest) |');
console.log('| --- | --- | --- | --- | --- |');
for (const v of variants) {
  const list = runs.get(v.name) ?? [];
  const walls = list.map((r) => r.wall);
  console.log(
    `| ${v.name} | ${Math.min(...walls).toFixed(1)} | ${median(walls).toFixed(1)} | ${median(list.map((r) => r.model)).toFixed(1)} | ${Math.max(...list.map((r) => r.rss)).toFixed(0)} |`,
  );
}
