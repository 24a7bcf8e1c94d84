/**
 * `landwatch round create|status|collect|pause|resume|cancel|resubmit`: province-scale rounds
 * spread over BullMQ workers through Redis (see electron/engine/round/).
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { LandWatchError } from '../engine/errors.js';
import { collectRound, pairOutPath } from '../engine/round/round-collect.js';
import { createRound, planRound, submitJobs } from '../engine/round/round-create.js';
import { connectRedis, requireSpec, roundQueue, updateSpec } from '../engine/round/round-redis.js';
import { formatStatus, roundStatus } from '../engine/round/round-status.js';

export const ROUND_USAGE = `  landwatch round create --name <n> --pairs <pairs.csv> --out-dir <shared folder>
                   [--job-size 4096] [--model <id>] [--threshold 0.5] [--min-area <m²>]
                   [--bands 3,2,1] [--stretch auto|none|percentile] [--radiometry match|none]
                   [--full-sweep | --screening] [--redis redis://127.0.0.1:6379]
  landwatch round status|pause|resume|cancel|resubmit <n> [--redis <url>]
  landwatch round collect <n> --out <project.landwatch|changes.gpkg|.geojson|.shp> [--overwrite]
  landwatch worker [--redis <url>] [--concurrency 1] [--device auto] [--stalled-ms 30000]`;

const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
const OUT_EXTS = ['.landwatch', '.gpkg', '.geojson', '.json', '.shp'];

export async function runRoundCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      pairs: { type: 'string' },
      'out-dir': { type: 'string' },
      'job-size': { type: 'string', default: '4096' },
      model: { type: 'string' },
      threshold: { type: 'string' },
      'min-area': { type: 'string', default: '0' },
      bands: { type: 'string' },
      stretch: { type: 'string', default: 'auto' },
      radiometry: { type: 'string', default: 'match' },
      'full-sweep': { type: 'boolean', default: false },
      screening: { type: 'boolean', default: false },
      redis: { type: 'string', default: DEFAULT_REDIS },
      out: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (sub === 'create') {
    const name = required(values.name, '--name');
    const stretch = values.stretch;
    if (stretch !== 'auto' && stretch !== 'none' && stretch !== 'percentile')
      throw bad(`--stretch ${stretch}: choose auto, none or percentile.`);
    if (values.radiometry !== 'match' && values.radiometry !== 'none')
      throw bad(`--radiometry ${values.radiometry}: choose match or none.`);
    const jobSize = Number(values['job-size']);
    if (!Number.isInteger(jobSize) || jobSize < 1)
      throw bad(`--job-size ${values['job-size']}: give pixels, e.g. 4096.`);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold > 0 && threshold < 1))
      throw bad(`--threshold ${values.threshold}: expected a number between 0 and 1.`);
    const minArea = Number(values['min-area']);
    if (!(minArea >= 0)) throw bad(`--min-area ${values['min-area']}: expected m² ≥ 0.`);
    const bands = values.bands?.split(',').map((b) => Number(b.trim()));
    if (bands?.some((b) => !Number.isInteger(b) || b < 1))
      throw bad(`--bands ${values.bands}: give 1-based band numbers like 3,2,1.`);
    // Reach Redis first: a round that cannot be stored is not worth validating every pair for.
    const redis = await connectRedis(values.redis);
    try {
      const spec = await planRound({
        name,
        pairsFile: resolve(required(values.pairs, '--pairs')),
        outDir: required(values['out-dir'], '--out-dir'),
        jobSize,
        modelId: values.model,
        threshold,
        minArea,
        bands,
        stretch,
        matchRadiometry: values.radiometry === 'match',
        screening: values['full-sweep'] ? false : values.screening ? true : undefined,
      });
      const added = await createRound(redis, spec);
      process.stdout.write(
        `landwatch: round ${name}: ${spec.pairs.length} pair(s), ${added} job(s) submitted, model ${spec.model.id} ${spec.model.version}\n`,
      );
      return 0;
    } finally {
      redis.disconnect();
    }
  }
  const name = positionals[0] ?? values.name;
  if (!sub || !name) throw bad(`round: give a subcommand and a round name.\n${ROUND_USAGE}`);
  const redis = await connectRedis(values.redis);
  try {
    return await onRound(redis, sub, name, values);
  } finally {
    redis.disconnect();
  }
}

async function onRound(
  redis: Redis,
  sub: string,
  name: string,
  values: { out?: string; overwrite?: boolean },
): Promise<number> {
  const spec = await requireSpec(redis, name);
  const queue = roundQueue(redis, name);
  try {
    switch (sub) {
      case 'status':
        process.stdout.write(`${formatStatus(await roundStatus(redis, spec))}\n`);
        return 0;
      case 'pause':
        await queue.pause();
        process.stdout.write(`landwatch: round ${name} paused (running jobs finish)\n`);
        return 0;
      case 'resume':
        await queue.resume();
        process.stdout.write(`landwatch: round ${name} resumed\n`);
        return 0;
      case 'cancel':
        await updateSpec(redis, { ...spec, state: 'cancelled' });
        await queue.drain(true);
        process.stdout.write(
          `landwatch: round ${name} cancelled; finished pairs can still be collected\n`,
        );
        return 0;
      case 'resubmit': {
        const added = await submitJobs(redis, spec);
        process.stdout.write(`landwatch: round ${name}: ${added} job(s) added\n`);
        return 0;
      }
      case 'collect':
        return await collect(spec, values);
      default:
        throw bad(`round ${sub}: unknown subcommand.\n${ROUND_USAGE}`);
    }
  } finally {
    await queue.close();
  }
}

async function collect(
  spec: Awaited<ReturnType<typeof requireSpec>>,
  values: { out?: string; overwrite?: boolean },
): Promise<number> {
  const out = resolve(required(values.out, '--out'));
  if (!OUT_EXTS.includes(extname(out).toLowerCase()))
    throw bad(`--out ${values.out}: use a .landwatch, .gpkg, .geojson or .shp file name.`);
  for (const pair of spec.pairs) {
    const target = pairOutPath(out, spec, pair.id);
    if (existsSync(target) && !values.overwrite)
      throw new LandWatchError(
        'E_OUTPUT',
        `${target} already exists; pass --overwrite to replace it.`,
      );
  }
  const pairs = await collectRound(spec, out, values.overwrite ?? false);
  for (const p of pairs) {
    const [have, total] = p.blocks;
    process.stdout.write(
      p.polygons
        ? `landwatch: pair ${p.pair}: ${p.polygons.length} change(s) → ${p.out}\n`
        : `landwatch: pair ${p.pair}: ${have} of ${total} blocks done, not collected yet\n`,
    );
  }
  return 0;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw bad(`${flag} is required.`);
  return value;
}

function bad(message: string): LandWatchError {
  return new LandWatchError('E_BAD_REQUEST', message);
}
