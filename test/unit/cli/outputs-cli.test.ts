/**
 * Output paths of `detect` and `export` (issue 18): checked before any work — one line naming the
 * option, the file and the problem, exit 2, no stack trace — and written all or nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/landwatch.js';
import {
  checkOutputPaths,
  writeAllOrNothing,
} from '../../../electron/engine/export/output-paths.js';
import { writeDemoScene } from '../../../resources/demo/write-demo.js';
import { tempProject } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-outputs-'));

/** Runs the CLI in-process; its exit code and what it printed on stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('checkOutputPaths', () => {
  const check =
    (path: string, overwrite = false, flag = '--out') =>
    () =>
      checkOutputPaths([{ flag, path }], overwrite);

  it('names the option, the file and the problem', () => {
    expect(check('/nowhere/at/all/out.gpkg')).toThrow(
      '--out /nowhere/at/all/out.gpkg: the folder /nowhere/at/all does not exist.',
    );
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    expect(check(join(file, 'out.gpkg'))).toThrow(`${file} is not a folder.`);
    expect(check(dir)).toThrow(/is a folder; give a file name/);
  });

  it('an existing output, or a companion of it, needs --overwrite', () => {
    writeFileSync(join(dir, 'old.gpkg'), 'keep me');
    expect(check(join(dir, 'old.gpkg'))).toThrow(/old\.gpkg: already exists; pass --overwrite/);
    expect(check(join(dir, 'old.gpkg'), true)).not.toThrow();
    writeFileSync(join(dir, 'parcels.dbf'), 'keep me');
    expect(check(join(dir, 'parcels.shp'))).toThrow(/parcels\.dbf already exists/);
  });

  it('two outputs may not be one file', () => {
    const path = join(dir, 'same.tif');
    expect(() =>
      checkOutputPaths(
        [
          { flag: '--out', path },
          { flag: '--mask', path },
        ],
        false,
      ),
    ).toThrow(/--mask .*same\.tif: --out writes the same file/);
  });
});

describe('writeAllOrNothing', () => {
  it('removes what earlier writers wrote when a later one fails', async () => {
    const first = join(dir, 'first.gpkg');
    await expect(
      writeAllOrNothing([
        {
          path: first,
          write: async () => {
            writeFileSync(first, 'polygons');
            return [first];
          },
        },
        {
          path: join(dir, 'gone', 'mask.tif'),
          write: async () => {
            writeFileSync(join(dir, 'gone', 'mask.tif'), 'mask');
            return [];
          },
        },
      ]),
    ).rejects.toThrow(/^Could not write .*gone\/mask\.tif: ENOENT/);
    expect(existsSync(first)).toBe(false);
  });
});

describe('the commands check their outputs before any work', () => {
  it('detect: a bad --mask path leaves no --out file behind', async () => {
    const out = join(dir, 'detect', 'out.gpkg');
    mkdirSync(join(dir, 'detect'));
    const r = await cli(
      'detect',
      '--before',
      join(dir, 'no-before.tif'),
      '--after',
      join(dir, 'no-after.tif'),
      '--out',
      out,
      '--mask',
      join(dir, 'nowhere', 'mask.tif'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `landwatch: error: --mask ${join(dir, 'nowhere', 'mask.tif')}: the folder ${join(dir, 'nowhere')} does not exist.\n`,
    );
    expect(readdirSync(join(dir, 'detect'))).toEqual([]);
  });

  it('detect: a --mask that fails while written takes the --out file along', async () => {
    const scene = await writeDemoScene(join(dir, 'demo'));
    mkdirSync(join(dir, 'demo', 'mask.tif.part')); // the mask's temporary name is taken
    process.env.LANDWATCH_WORK = join(dir, 'work');
    const out = join(dir, 'demo', 'changes.gpkg');
    const args = ['--before', scene.before, '--after', scene.after, '--out', out, '--quiet'];
    const r = await cli('detect', ...args, '--mask', join(dir, 'demo', 'mask.tif'));
    delete process.env.LANDWATCH_WORK;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^landwatch: error: Could not write .*mask\.tif: EISDIR/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('export: a missing folder, or a folder as --out, is one line and exit 2', async () => {
    const { path: project } = tempProject('outputs');
    const missing = await cli('export', '--project', project, '--out', '/nowhere/x.gpkg');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^landwatch: error: --out \/nowhere\/x\.gpkg: the folder/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const folder = await cli('export', '--project', project, '--out', join(dir, 'sub.gpkg'));
    expect(folder.code).toBe(0);
    mkdirSync(join(dir, 'folder.html'));
    const html = await cli('export', '--project', project, '--out', join(dir, 'folder.html'));
    expect(html.code).toBe(2);
    expect(html.stderr).toMatch(/folder\.html: is a folder/);
  });
});
