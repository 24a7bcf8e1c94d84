/**
 * `landwatch team push | checkout | return` and `landwatch export --db` as people run them: the
 * summary lines, the applied/conflict table and its `--json` form, and one clear message (with
 * nothing written) for each kind of bad input.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExportCommand } from '../../../electron/cli/export-command.js';
import { runTeamCommand } from '../../../electron/cli/team-command.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { richProject } from './move-fixture.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

async function team(...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runTeamCommand(argv, { stdin: process.stdin, out: (l) => lines.push(l) });
  return { code, lines };
}

describe.skipIf(skip !== null)(
  `landwatch team push|checkout|return${skip ? ` (${skip})` : ''}`,
  () => {
    let source: { store: ProjectStore; path: string; dir: string };
    const file = (name: string) => join(source.dir, name);
    beforeAll(() => {
      source = richProject();
      source.store.close();
    });
    afterAll(() => {
      if (source) rmSync(source.dir, { recursive: true, force: true });
    });

    it('pushes, checks out, returns with a table and as JSON', async () => {
      const pushed = await team('push', source.path, '--db', url, '--schema', 'cli');
      expect(pushed.code).toBe(0);
      expect(pushed.lines[0]).toMatch(
        /^pushed 17 patches, 3 runs, \d+ reviews, \d+ history entries, \d+ audit rows → schema cli of 127\.0\.0\.1:\d+\//,
      );

      const out = file('pkg.landwatch');
      const co = await team(
        'checkout',
        '--db',
        url,
        '--schema',
        'cli',
        '--ids',
        '10,17',
        '--out',
        out,
      );
      expect(co.lines).toEqual([`checked out 2 patches (2 runs) from schema cli → ${out}`]);
      const local = ProjectStore.open(out);
      local.review(10, 'confirmed', null, 'gina');
      local.close();

      const back = await team('return', out, '--db', url);
      expect(back.code).toBe(0);
      expect(back.lines[0]).toMatch(
        /^returned to schema cli of .*: 1 applied, 0 conflicts, 1 unchanged$/,
      );
      expect(back.lines.join('\n')).toMatch(/#10\s+gina\s+#10: state → confirmed/);
      const json = await team('return', out, '--db', url, '--json');
      expect(JSON.parse(json.lines.join('\n'))).toMatchObject({
        schema: 'cli',
        applied: [],
        conflicts: [],
        unchanged: 2,
      });
    });

    it('exports a team project with `landwatch export --db --schema`', async () => {
      const out = file('team.geojson');
      let stdout = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        stdout += String(chunk);
        return true;
      });
      try {
        expect(
          await runExportCommand([
            '--db',
            url,
            '--schema',
            'cli',
            '--out',
            out,
            '--states',
            'confirmed',
          ]),
        ).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(stdout).toMatch(/^landwatch: \d+ patches, profile landwatch/);
      const features = (
        JSON.parse(readFileSync(out, 'utf8')) as {
          features: { properties: Record<string, unknown> }[];
        }
      ).features;
      expect(features.length).toBeGreaterThan(0);
      expect(features.every((f) => f.properties.state === 'confirmed')).toBe(true);
    });

    it.each([
      [
        ['push', 'p.landwatch', '--db', 'mysql://x/y', '--schema', 's'],
        /--db mysql:\/\/x\/y: give a postgres:\/\/ URL/,
      ],
      [
        ['checkout', '--db', 'postgres://h/d', '--schema', 's', '--out', 'o.landwatch'],
        /exactly one of --ids, --area, --all/,
      ],
      [
        [
          'checkout',
          '--db',
          'postgres://h/d',
          '--schema',
          's',
          '--ids',
          '1,x',
          '--out',
          'o.landwatch',
        ],
        /--ids 1,x: give patch numbers/,
      ],
      [['return'], /give the checked-out project file/],
      [['return', 'nowhere.landwatch'], /nowhere\.landwatch: project file not found/],
    ])('refuses %j with one clear message', async (argv, message) => {
      await expect(team(...argv)).rejects.toThrow(message);
    });

    it('names the problem and writes nothing: unknown schema, not a checkout, unreachable database', async () => {
      const out = file('never.landwatch');
      await expect(
        team('checkout', '--db', url, '--schema', 'nope', '--all', '--out', out),
      ).rejects.toThrow(/schema "nope" of .*: no team project there/);
      await expect(team('return', source.path, '--db', url)).rejects.toThrow(
        /round\.landwatch: not a team checkout/,
      );
      await expect(
        team(
          'checkout',
          '--db',
          'postgres://lw:secret@127.0.0.1:1/db',
          '--schema',
          'cli',
          '--all',
          '--out',
          out,
        ),
      ).rejects.toThrow(/Cannot reach the team database at 127\.0\.0\.1:1\/db \(ECONNREFUSED\)/);
      await expect(
        team(
          'checkout',
          '--db',
          url,
          '--schema',
          'cli',
          '--area',
          file('none.geojson'),
          '--out',
          out,
        ),
      ).rejects.toThrow(/--area .*none\.geojson: file not found/);
      expect(existsSync(out)).toBe(false);
      const before = readFileSync(source.path);
      await expect(
        team('checkout', '--db', url, '--schema', 'cli', '--all', '--out', source.path),
      ).rejects.toThrow(/--out .*round\.landwatch: .*exists/);
      expect(readFileSync(source.path)).toEqual(before);
    });
  },
);
