/**
 * `npm run bench:round`: rounds on this machine, as users run them (a local `redis-server`, the
 * built `landwatch worker` processes, `landwatch round create`). Prints a table:
 *  - one pair detected by a single `landwatch detect`, then as a round on 1 and on 2 worker
 *    processes (wall seconds from submission to the last job, pair megapixels per second);
 *  - what one block job costs before its first tile (opening both dates, radiometry, model session);
 *  - the queue's own cost: 1000 no-op jobs through BullMQ, wall seconds and Redis CPU seconds, also
 *    with the progress writes a 4096 px job makes (one per tile);
 * then a paper estimate of how many workers one Redis serves in a 10,000 km² round at 0.5 m.
 * Not a test: the machine is shared and small, so the timings are noisy.
 *
 *   npm run bench:round [-- --size 2048] [--job-size 768] [--device cpu] [--source <RGB GeoTIFF>]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openInputs } from '../electron/engine/inference/detect-inputs.js';
import { createModelSession } from '../electron/engine/inference/session.js';
import { connectRedis, roundQueue } from '../electron/engine/round/round-redis.js';
import { writeBenchScene } from './bench-scene.js';
import { measureQueue, type QueueCost } from './bench-round-queue.js';
import { startRedis } from './local-redis.js';
import { findModel } from '../electron/engine/inference/model-registry.js';
import { landwatchArgs, landwatchEnv } from './landwatch-command.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '2048' },
    'job-size': { type: 'string', default: '768' },
    device: { type: 'string', default: 'cpu' },
    data: { type: 'string', default: process.env.LANDWATCH_DATA ?? join('..', 'shared', 'data') },
    source: { type: 'string' },
  },
});
const source = values.source ?? join(values.data as string, 'geotiff', 'vhr', 'dop-rgb.tif');
const fail = (why: string) => {
  console.error(`bench:round: ${why}`);
  process.exit(2);
};
if (!existsSync(source)) fail(`${source} not found (set --data or LANDWATCH_DATA, or --source)`);
if (!existsSync(join('dist', 'node', 'landwatch.js'))) fail('run `npm run build` first');
const size = Number(values.size);
const jobSize = Number(values['job-size']);
const device = values.device as string;
const dir = mkdtempSync(join(tmpdir(), 'lw-bench-round-'));
const env = {
  ...landwatchEnv(),
  LANDWATCH_HOME: join(dir, 'home'),
  LANDWATCH_WORK: join(dir, 'work'),
};
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, landwatchArgs(args), { encoding: 'utf8', env });
  if (r.status !== 0) fail(`landwatch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await startRedis();
if ('skip' in server) fail(`cannot start redis-server: ${server.skip}`);
const local = server as Exclude<typeof server, { skip: string }>;
const redis = await connectRedis(local.url);
const rows: [string, string, string, string][] = [];
try {
  const scene = await writeBenchScene(source, dir, size);
  const mp = (size * size) / 1e6;
  const pairs = join(dir, 'pairs.csv');
  spawnSync('sh', [
    '-c',
    `printf 'id,before,after\\np1,%s,%s\\n' "$1" "$2" > "$3"`,
    '_',
    scene.before,
    scene.after,
    pairs,
  ]);

  let t = performance.now();
  cli(
    'detect',
    '--before',
    scene.before,
    '--after',
    scene.after,
    '--out',
    join(dir, 'd.geojson'),
    '--full-sweep',
    '--device',
    device,
    '--work-dir',
    join(dir, 'detect'),
    // The model the round names (the default model, not a CPU variant).
    '--model',
    findModel(undefined).card.id,
    '--quiet',
  );
  const detectS = (performance.now() - t) / 1000;
  rows.push([
    `landwatch detect, ${size}² px, full sweep`,
    detectS.toFixed(1),
    (mp / detectS).toFixed(2),
    'one process',
  ]);

  let perWorkerMps = 0;
  for (const n of [1, 2]) {
    const workers = Array.from({ length: n }, () =>
      spawn(
        process.execPath,
        landwatchArgs(['worker', '--redis', local.url, '--device', device, '--discover-ms', '300']),
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    const logs = workers.map(() => '');
    workers.forEach((w, i) => w.stderr.on('data', (d: Buffer) => (logs[i] += d.toString())));
    while (!logs.every((l) => /worker \S+: model/.test(l))) await sleep(100);
    const name = `bench-${n}`;
    const made = cli(
      'round',
      'create',
      '--name',
      name,
      '--pairs',
      pairs,
      '--out-dir',
      join(dir, name),
      '--job-size',
      String(jobSize),
      '--full-sweep',
      '--redis',
      local.url,
    );
    const jobs = Number(/(\d+) job\(s\) submitted/.exec(made)?.[1]);
    t = performance.now();
    const queue = roundQueue(redis, name);
    while ((await queue.getCompletedCount()) < jobs) await sleep(100);
    const s = (performance.now() - t) / 1000;
    await queue.close();
    if (n === 1) perWorkerMps = mp / s;
    rows.push([
      `round, ${n} worker process(es), ${jobs} jobs of ${jobSize} px`,
      s.toFixed(1),
      (mp / s).toFixed(2),
      `${(mp / s / n).toFixed(2)} MP/s per worker`,
    ]);
    workers.forEach((w) => w.kill('SIGTERM'));
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  }

  const setups: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const inputs = await openInputs({
      beforePath: scene.before,
      afterPath: scene.after,
      screening: false,
    });
    const session = await createModelSession(inputs.model.onnxPath, device as 'cpu');
    await session.dispose();
    inputs.close();
    setups.push((performance.now() - t) / 1000);
  }
  const setup = setups.sort()[1];
  rows.push([
    'per-job setup (open dates, radiometry, model session)',
    setup.toFixed(2),
    '',
    'median of 3',
  ]);

  const costs: QueueCost[] = [
    await measureQueue(redis, 'noop', 1000, 1, 0),
    await measureQueue(redis, 'noop-c8', 1000, 8, 0),
    await measureQueue(redis, 'progress-144', 1000, 1, 144),
  ];
  for (const c of costs)
    rows.push([
      `queue: 1000 ${c.progressPerJob ? `jobs × ${c.progressPerJob} progress writes` : 'no-op jobs'}, concurrency ${c.concurrency}`,
      c.wallSeconds.toFixed(2),
      '',
      `Redis CPU ${c.redisCpuSeconds.toFixed(2)} s`,
    ]);

  console.log('\nRounds on this machine (shared with other work: timings are noisy)\n');
  console.log(`${'what'.padEnd(62)}${'seconds'.padStart(9)}${'MP/s'.padStart(8)}  note`);
  for (const [what, s, mps, note] of rows)
    console.log(`${what.padEnd(62)}${s.padStart(9)}${mps.padStart(8)}  ${note}`);
  printEstimate(mp / detectS, perWorkerMps, setup, costs[2]);
} finally {
  redis.disconnect();
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The paper estimate: how many workers one Redis serves for 10,000 km² at 0.5 m. */
function printEstimate(
  detectMps: number,
  smallJobMps: number,
  setupS: number,
  cost: QueueCost,
): void {
  const pixels = (10_000 * 1e6) / 0.25;
  const stride = 384;
  const core = Math.round(4096 / stride) * stride;
  const jobs = Math.ceil(pixels / core ** 2);
  const tilesPerJob = (core / stride + 1) ** 2;
  // A 4096 px job runs its own tiles plus one halo row and column: detect's pace, less that share.
  const workerMps = (detectMps * (core / stride) ** 2) / tilesPerJob;
  const jobS = core ** 2 / 1e6 / workerMps + setupS;
  const redisPerJob = cost.redisCpuSeconds / cost.jobs;
  const workers = Math.floor(jobS / redisPerJob);
  // A block reads its span (core plus a 128 px halo each side) of 3 bands of both dates.
  const readMB = ((core + 256) ** 2 * 3 * 2) / 1e6;
  const nasWorkers = Math.floor(1000 / (readMB / jobS));
  const lines = [
    '',
    `Paper estimate: 10,000 km² at 0.5 m = ${(pixels / 1e9).toFixed(0)}·10⁹ px a date. The default`,
    `--job-size 4096 gives ${core}² px cores (${tilesPerJob} tiles with the halo): ${jobs} jobs.`,
    `At detect's pace here less the halo, ${workerMps.toFixed(2)} MP/s per worker, a job takes`,
    `~${jobS.toFixed(0)} s (${setupS.toFixed(1)} s of it setup): ~${((jobs * jobS) / 3600).toFixed(0)} worker-hours. ` +
      `(The ${smallJobMps.toFixed(2)} MP/s of the small`,
    '768 px jobs above is mostly halo tiles and per-job setup; do not size rounds from it.)',
    `Redis spends ~${(redisPerJob * 1000).toFixed(2)} ms of CPU per job (measured above, with one`,
    `progress write per tile; workers write at most one a second, so this is the worst case):`,
    `one Redis core is saturated only at ~${workers} workers of this speed, ~${Math.floor(workers / 10)}` +
      ' workers 10× faster (GPUs).',
    `The shared folder limits first: a job reads ~${readMB.toFixed(0)} MB (uncompressed) of both dates`,
    `and writes ${(core ** 2 / 1e6).toFixed(0)} MB, so a 1 GB/s file server feeds ~${nasWorkers} ` +
      `workers of this speed, ~${Math.floor(nasWorkers / 10)} workers 10× faster.`,
  ];
  console.log(lines.join('\n'));
}
