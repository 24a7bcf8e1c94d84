/**
 * Fuzz test of the TIFF reader (issue 18): a seeded corpus of mutated real GeoTIFFs (byte flips,
 * truncations, directory-entry mutations, the named hostile cases) is opened the way `detect` opens
 * its inputs, in a child process the test kills when a case hangs. Every case must succeed or fail
 * with a LandWatchError (exit 2 with one line and no stack trace through the CLI, for a sample) —
 * never hang, crash or grow memory without bound.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, hasData } from '../../helpers/data.js';
import { buildCorpus, type CorpusCase } from '../../helpers/tiff-corpus.js';

const hasGdal = existsSync('/usr/bin/gdal_translate');
const built = existsSync(join(REPO, 'dist', 'node', 'landwatch.js'));
/** A case taking longer than this counts as a hang. */
const CASE_TIMEOUT_MS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'lw-tiff-fuzz-'));

interface Outcome {
  i: number;
  ms: number;
  rss: number;
  ok: boolean;
  code?: string;
  message?: string;
  crash?: string;
  hang?: boolean;
}

/** Runs the cases through the child, restarting it after a hang; one outcome per case. */
async function openAll(cases: CorpusCase[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  while (next < cases.length) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'test', 'helpers', 'open-tiff-child.ts')],
      {
        cwd: REPO,
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, LANDWATCH_WORK: join(dir, 'work') },
      },
    );
    await new Promise<void>((resolve) => {
      let buffered = '';
      let timer: NodeJS.Timeout;
      const send = () => {
        if (next >= cases.length) return child.stdin.end();
        const c = cases[next];
        timer = setTimeout(() => {
          outcomes.push({ i: next, ms: CASE_TIMEOUT_MS, rss: 0, ok: false, hang: true });
          next++;
          child.kill('SIGKILL');
        }, CASE_TIMEOUT_MS);
        child.stdin.write(`${JSON.stringify({ i: next, path: c.path, seed: c.seed })}\n`);
      };
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          clearTimeout(timer);
          outcomes.push(JSON.parse(line) as Outcome);
          next++;
          send();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      send();
    });
  }
  return outcomes;
}

describe.skipIf(!hasData || !hasGdal)('TIFF fuzz corpus', () => {
  let cases: CorpusCase[] = [];
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    cases = buildCorpus(dir);
    outcomes = await openAll(cases);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens every case or refuses it with a LandWatchError, never hanging or crashing', () => {
    const ok = outcomes.filter((o) => o.ok).length;
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    const peak = Math.max(...outcomes.map((o) => o.rss)) / 2 ** 20;
    console.log(
      `TIFF fuzz corpus: ${cases.length} files, ${ok} opened, ${cases.length - ok} refused cleanly; slowest ${slowest} ms, peak RSS ${peak.toFixed(0)} MB`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(outcomes).toHaveLength(cases.length);
    const bad = outcomes
      .filter((o) => o.hang || o.crash)
      .map((o) => `${cases[o.i].name}: ${o.hang ? 'hang' : o.crash}`);
    expect(bad).toEqual([]);
    for (const o of outcomes.filter((x) => !x.ok)) {
      expect(o.message, cases[o.i].name).toMatch(/\S/);
      expect(o.message, cases[o.i].name).not.toMatch(/\n|\bat .*\(.*:\d+:\d+\)/);
    }
  });

  it('opens every healthy seed (tiled, stripped, JPEG/YCbCr, alpha, mask, planar, big-endian, BigTIFF)', () => {
    const seeds = cases.map((c, i) => [c, outcomes[i]] as const).filter(([c]) => c.healthy);
    expect(seeds.length).toBe(9);
    for (const [c, o] of seeds) expect(o.ok, `${c.name}: ${o.message}`).toBe(true);
  });

  it('names the problem for each named case', () => {
    const message = (name: string) =>
      outcomes[cases.findIndex((c) => c.name === name)]?.message ?? '';
    expect(message('loop-ifd')).toMatch(/loops back/);
    expect(message('ifd-past-end')).toMatch(/past the end of the file/);
    expect(message('zero-width')).toMatch(/zero size/);
    expect(message('huge-width')).toMatch(/beyond what LandWatch reads/);
    expect(message('folder')).toMatch(/is a folder/);
    expect(message('deflate-bomb')).toMatch(/cannot be read/);
    expect(message('truncated-half')).toMatch(/past the end of the file|truncated/);
  });

  it.skipIf(!built)(
    'gives exit 2 and one line through the CLI for a sample',
    () => {
      const sample = cases.filter((c, i) => c.name.startsWith('loop') || i % 40 === 7).slice(0, 6);
      for (const c of sample) {
        const r = spawnSync(
          process.execPath,
          [
            join(REPO, 'bin', 'landwatch.js'),
            'detect',
            '--before',
            c.seed,
            '--after',
            c.path,
            '--out',
            join(dir, `${c.name}.geojson`),
            '--overwrite',
          ],
          {
            encoding: 'utf8',
            timeout: 30_000,
            env: {
              ...process.env,
              LANDWATCH_HOME: join(dir, 'home'),
              LANDWATCH_WORK: join(dir, 'work'),
            },
          },
        );
        expect([0, 2], `${c.name}: ${r.stderr}`).toContain(r.status);
        if (r.status === 2) {
          const errors = r.stderr.split('\n').filter((l) => l.startsWith('landwatch: error'));
          expect(errors, c.name).toHaveLength(1);
          expect(r.stderr, c.name).not.toMatch(/\n\s+at /);
        }
      }
    },
    120_000,
  );
});
