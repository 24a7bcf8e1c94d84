/**
 * `landwatch export` on the reviewed demo project: every output kind, the profile and encoding
 * options, selections, `--check`, and refusals with one clear message.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runExportCommand } from '../../../electron/cli/export-command.js';
import { reviewedDemoProject } from '../report/demo-fixture.js';
import { GPKG_QUIET, gdalAvailable, makeTempDir, runGdalClean } from './gdal-cli.js';

const { dir, cleanup } = makeTempDir('export-cli');
afterAll(cleanup);

let project: string;
beforeAll(async () => {
  project = await reviewedDemoProject(join(dir, 'demo'));
}, 120_000);

/** Runs the command and returns its exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runExportCommand(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('landwatch export', () => {
  it.each(['UTF-8', 'GBK'])(
    'writes a shapefile with the land-survey codes in %s',
    async (encoding) => {
      const out = join(dir, `confirmed-${encoding}.shp`);
      const args = ['--project', project, '--out', out, '--encoding', encoding];
      const { code, stdout } = await run(...args, '--states', 'confirmed,field_check');
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(
          `^landwatch: 4 patches, profile land-survey, ${encoding}, [\\d.]+ s → .*\\.shp \\(\\+ \\.shx \\.dbf \\.cpg \\.prj\\)\\n$`,
        ),
      );
      expect(readFileSync(join(dir, `confirmed-${encoding}.cpg`), 'utf8')).toBe(encoding);
      if (!gdalAvailable) return;
      const info = runGdalClean('ogrinfo', ['-ro', '-al', out]);
      expect(info).toContain('Feature Count: 4');
      expect(info).toContain('SHR (String) = 王建国');
      expect(info).toContain('SHYJ (String) = 确认为新增建筑，未见用地批文');
      expect(info).toContain('TBLX (String) = 01');
      expect(info).toContain('QSX (Date) = 2023/04/18');
      expect(info).not.toContain('已排除');
    },
  );

  it.skipIf(!gdalAvailable)(
    'writes a GeoPackage with full names and the review history',
    async () => {
      const out = join(dir, 'all.gpkg');
      expect((await run('--project', project, '--out', out)).code).toBe(0);
      const layers = runGdalClean('ogrinfo', ['-ro', '-q', out], GPKG_QUIET);
      expect(layers).toMatch(/1: changes \(Polygon\)\n2: reviews \(None\)/);
      const reviews = runGdalClean('ogrinfo', ['-ro', '-q', out, 'reviews'], GPKG_QUIET);
      expect(reviews).toContain('comment (String) = 阴影与季节差异造成的伪变化');
      const rejected = runGdalClean(
        'ogrinfo',
        ['-ro', '-q', out, '-where', "state = 'rejected'", 'changes'],
        GPKG_QUIET,
      );
      expect(rejected).toContain('reviewer (String) = 李娜');
      expect(rejected).toContain('change_class (String) = (null)');
    },
  );

  it('writes GeoJSON and an HTML evidence report of chosen patches', async () => {
    const json = join(dir, 'all.geojson');
    expect((await run('--project', project, '--out', json, '--profile', 'builtin')).code).toBe(0);
    const features = JSON.parse(readFileSync(json, 'utf8')).features;
    expect(features[0].properties).toHaveProperty('TBMJ');
    const html = join(dir, 'report.html');
    const { stdout } = await run('--project', project, '--out', html, '--patches', '1,3');
    expect(stdout).toMatch(/evidence report of 2 patches/);
    expect(readFileSync(html, 'utf8').match(/<section class="patch"/g)).toHaveLength(2);
  });

  it.skipIf(!gdalAvailable)('writes CSV with WKT that GDAL reads (--format csv)', async () => {
    const csv = join(dir, 'all.csv');
    const { code, stdout } = await run('--project', project, '--out', csv, '--format', 'csv');
    expect(code).toBe(0);
    const n = Number(/(\d+) patch/.exec(stdout)?.[1]);
    expect(n).toBeGreaterThan(0);
    const info = runGdalClean('ogrinfo', [
      '-ro',
      '-al',
      '-oo',
      'GEOM_POSSIBLE_NAMES=WKT',
      '-oo',
      'KEEP_GEOM_COLUMNS=NO',
      csv,
    ]);
    expect(info).toContain(`Feature Count: ${n}`);
    expect(info).toMatch(/^ {2}(MULTI)?POLYGON \(\(\d/m);
    expect(info).toContain('reviewer (String) = 李娜');
  });

  it('checks without writing and lists every problem', async () => {
    const profile = join(dir, 'long-names.json');
    writeFileSync(
      profile,
      JSON.stringify({
        kind: 'landwatch-export-profile',
        version: 1,
        id: 'long-names',
        name: 'Chinese field names',
        fields: [
          { code: '图斑编号', source: 'number', type: 'integer' },
          { code: '审核意见', source: 'comment', type: 'text', width: 20 },
        ],
      }),
    );
    const out = join(dir, 'checked.shp');
    const result = await run('--project', project, '--out', out, '--profile', profile, '--check');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Field name 图斑编号 is 12 bytes in UTF-8');
    expect(result.stdout).toContain('Field name 审核意见 is 12 bytes in UTF-8');
    expect(result.stdout).toMatch(
      /Field 审核意见, feature \d+( \(patch \d+\))?: the text is \d+ bytes in UTF-8, but 审核意见 holds 20/,
    );
    expect(existsSync(out)).toBe(false);
    // The same export without --check refuses with the same list; GBK fits the names.
    await expect(run('--project', project, '--out', out, '--profile', profile)).rejects.toThrow(
      /^Nothing was written to .*checked\.shp: \d+ problems/,
    );
    const gbk = await run(
      '--project',
      project,
      '--out',
      out,
      '--profile',
      profile,
      '--encoding',
      'gbk',
      '--check',
    );
    expect(gbk.stdout).not.toContain('Field name');
  });

  it('prints profiles for users to copy', async () => {
    const { stdout } = await run('--print-profile', 'builtin');
    expect(JSON.parse(stdout)).toMatchObject({
      id: 'land-survey',
      kind: 'landwatch-export-profile',
    });
    expect(JSON.parse((await run('--print-profile-schema')).stdout)).toHaveProperty('properties');
  });

  it.each([
    [['--out', 'x.gpkg'], /--project is required/],
    [
      ['--project', 'p.landwatch', '--out', 'x.kml'],
      /use a \.gpkg, \.geojson, \.shp, \.csv, \.pdf or \.html/,
    ],
    [
      ['--project', 'p.landwatch', '--out', 'x.gpkg', '--encoding', 'GBK'],
      /shapefiles \(\.shp\) only/,
    ],
    [['--project', 'p.landwatch', '--out', 'x.shp', '--encoding', 'latin1'], /choose UTF-8 or GBK/],
    [['--project', 'p.landwatch', '--out', 'x.shp', '--format', 'csv'], /extension says shp/],
    [['--project', 'p.landwatch', '--out', 'x.csv', '--format', 'kml'], /choose gpkg, geojson/],
    [['--project', 'p.landwatch', '--out', 'x.shp', '--states', 'done'], /"done" is not a state/],
    [
      ['--project', 'missing.landwatch', '--out', 'x.shp'],
      /missing\.landwatch: project file not found/,
    ],
    [
      ['--project', 'p.landwatch', '--out', 'x.pdf', '--profile', 'builtin'],
      /not to evidence reports/,
    ],
  ])('refuses %j', async (args, message) => {
    await expect(runExportCommand(args)).rejects.toThrow(message);
  });
});
