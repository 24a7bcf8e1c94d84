/**
 * Bad input to `landwatch round` and `landwatch worker`: Redis out of reach, a pairs file naming a
 * file that is not there or a pair without overlap, a round name already taken. Each gets one
 * clear line naming the problem, and nothing is left half-written: no key in Redis, no folder.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, readSpec, roundQueue } from '../../../electron/engine/round/round-redis.js';
import { dataPath, hasData } from '../../helpers/data.js';
import { freePort, startRedis, type TestRedis } from '../../../scripts/local-redis.js';
import { built, landwatch, writePairs, writeShifted } from './round-fixture.js';

const server = await startRedis();
const why =
  'skip' in server ? server.skip : !hasData ? 'no ../shared/data' : !built ? 'no build' : null;
if (why) console.warn(`round bad input: skipped: ${why}`);

/** The one error line and the exit code; the line must be the whole of stderr. */
function oneError(run: ReturnType<typeof landwatch>): string {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^landwatch: error: /);
  return lines[0];
}

describe.skipIf(why !== null)('round: bad input', () => {
  const redisServer = server as TestRedis;
  const dir = mkdtempSync(join(tmpdir(), 'lw-round-bad-'));
  const outDir = join(dir, 'shared');
  let pairs = '';
  let redis: Redis;
  const create = (name: string, file: string, url = redisServer.url) =>
    landwatch(
      dir,
      'round',
      'create',
      '--name',
      name,
      '--pairs',
      file,
      '--out-dir',
      outDir,
      '--redis',
      url,
    );

  beforeAll(async () => {
    pairs = (await writePairs(dir)).file;
    redis = await connectRedis(redisServer.url);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await redisServer.stop();
  });

  it('unreachable Redis: create, status and worker each say so in one line', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    expect(oneError(create('r-none', pairs, url))).toContain(`cannot reach Redis at ${url}`);
    const status = landwatch(dir, 'round', 'status', 'r-none', '--redis', url);
    expect(oneError(status)).toContain(`cannot reach Redis at ${url}`);
    const worker = landwatch(dir, 'worker', '--redis', url);
    expect(oneError(worker)).toContain(`cannot reach Redis at ${url}`);
    expect(existsSync(outDir)).toBe(false);
  });

  it('a pair naming a missing file: names the pair and the file; nothing stored', async () => {
    const gone = join(dir, 'gone-after.tif');
    const file = join(dir, 'missing.csv');
    const scene = dataPath('geotiff', 'vhr', 'dop-rgb.tif');
    writeFileSync(file, `id,before,after\nok,${scene},${scene}\nbad,${scene},${gone}\n`);
    const line = oneError(create('r-missing', file));
    expect(line).toContain('pair bad');
    expect(line).toContain(gone);
    expect(await redis.dbsize()).toBe(0);
    expect(existsSync(outDir)).toBe(false);
  });

  it('a pair without overlap: names the pair and says they do not overlap; nothing stored', async () => {
    const scene = dataPath('geotiff', 'vhr', 'dop-rgb.tif');
    const far = await writeShifted(scene, join(dir, 'far-away.tif'), 50_000);
    const file = join(dir, 'apart.csv');
    writeFileSync(file, `${scene},${far}\n`);
    const line = oneError(create('r-apart', file));
    expect(line).toMatch(/pair p1 .*do not overlap/);
    expect(await redis.dbsize()).toBe(0);
  });

  it('a round name already taken: refused, the round and its jobs untouched', async () => {
    const first = create('r-taken', pairs);
    expect(first.code, first.stderr).toBe(0);
    const spec = await readSpec(redis, 'r-taken');
    const keys = await redis.dbsize();
    const line = oneError(create('r-taken', pairs));
    expect(line).toContain('round "r-taken" already exists');
    expect(await readSpec(redis, 'r-taken')).toEqual(spec);
    expect(await redis.dbsize()).toBe(keys);
    const queue = roundQueue(redis, 'r-taken');
    expect(await queue.count()).toBe(
      spec!.pairs.reduce((n, p) => n + p.blockRows * p.blockCols, 0),
    );
    await queue.close();
  });

  it('a round that does not exist, and a bad round name: one line each', () => {
    const status = landwatch(dir, 'round', 'status', 'nope', '--redis', redisServer.url);
    expect(oneError(status)).toContain('round "nope" does not exist');
    expect(oneError(create('bad name!', pairs))).toContain('round name "bad name!"');
  });
});
