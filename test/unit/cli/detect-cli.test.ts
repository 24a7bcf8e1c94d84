/**
 * The `landwatch detect` command as users run it (the built CLI in a separate process) on the real
 * Nanjing Landsat pair: polygons GDAL reads back in EPSG:32650, a mask on exactly the before grid,
 * and one clear line for each kind of bad input.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NANJING_AFTER, NANJING_BEFORE, REPO, dataPath, hasData } from '../../helpers/data.js';

const hasGdal = existsSync('/usr/bin/ogrinfo') && existsSync('/usr/bin/gdalinfo');
const built = existsSync(join(REPO, 'dist', 'node', 'landwatch.js'));
const out = mkdtempSync(join(tmpdir(), 'lw-cli-'));

function landwatch(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'landwatch.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, LANDWATCH_HOME: join(out, 'home'), LANDWATCH_WORK: join(out, 'work') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function gdalJson(...args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync('gdalinfo', ['-json', ...args], { encoding: 'utf8' })) as Record<
    string,
    unknown
  >;
}

describe.skipIf(!hasData || !built)('landwatch detect on the Nanjing pair', () => {
  const gpkg = join(out, 'nanjing.gpkg');
  const mask = join(out, 'nanjing-mask.tif');
  let run: ReturnType<typeof landwatch>;

  beforeAll(() => {
    run = landwatch(
      'detect',
      '--before',
      NANJING_BEFORE,
      '--after',
      NANJING_AFTER,
      '--out',
      gpkg,
      '--mask',
      mask,
      '--min-area',
      '1800',
    );
  }, 180_000);

  it('succeeds with progress on stderr and a one-line summary on stdout', () => {
    expect(run.stderr).toMatch(/progress: 100%/);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^landwatch: \d+ changes?, [\d.]+ ha \([\d.]+ mu\), model \S+ on cpu/);
  });

  it.skipIf(!hasGdal)('writes polygons GDAL reads in EPSG:32650 with areas in m² and mu', () => {
    const info = execFileSync('ogrinfo', ['-ro', '-al', '-so', gpkg], { encoding: 'utf8' });
    expect(info).toMatch(/ID\["EPSG",32650\]/);
    const count = Number(/Feature Count: (\d+)/.exec(info)?.[1]);
    expect(count).toBe(Number(/landwatch: (\d+) change/.exec(run.stdout)?.[1]));
    for (const field of ['area_m2', 'area_mu', 'mean_prob', 'date_bef', 'date_aft'])
      expect(info).toContain(field);
    if (count > 0) {
      const sql = execFileSync(
        'ogrinfo',
        [
          '-ro',
          '-q',
          '-dialect',
          'sqlite',
          '-sql',
          'SELECT MIN(ST_IsValid(geom)) AS valid, SUM(ABS(ST_Area(geom) - area_m2)) AS err, MIN(area_m2) AS smallest, MAX(ABS(area_mu * 666.6666667 - area_m2)) AS mu_err FROM changes',
          gpkg,
        ],
        { encoding: 'utf8' },
      );
      expect(sql).toMatch(/valid \(Integer\) = 1/);
      expect(Number(/err \(Real\) = ([\d.e+-]+)/.exec(sql)?.[1])).toBeLessThan(count * 1);
      expect(Number(/smallest \(Real\) = ([\d.e+-]+)/.exec(sql)?.[1])).toBeGreaterThanOrEqual(1800);
      expect(Number(/mu_err \(Real\) = ([\d.e+-]+)/.exec(sql)?.[1])).toBeLessThan(0.01);
    }
  });

  it.skipIf(!hasGdal)('writes a 0/255 mask on exactly the before grid', () => {
    const a = gdalJson(NANJING_BEFORE);
    const m = gdalJson('-stats', mask);
    expect(m.size).toEqual(a.size);
    expect(m.geoTransform).toEqual(a.geoTransform);
    const epsg = (j: Record<string, unknown>) => (j.stac as { 'proj:epsg': number })['proj:epsg'];
    expect(epsg(m)).toBe(32650);
    const bands = m.bands as { type: string; minimum: number; maximum: number }[];
    expect(bands).toHaveLength(1);
    expect(bands[0].type).toBe('Byte');
    expect([0, 255]).toContain(bands[0].minimum);
    expect([0, 255]).toContain(bands[0].maximum);
  });

  it.skipIf(!hasGdal)(
    'also writes GeoJSON (WGS84) and Shapefile (.prj, .cpg)',
    () => {
      const gj = join(out, 'nanjing.geojson');
      const shp = join(out, 'nanjing.shp');
      expect(
        landwatch(
          'detect',
          '--before',
          NANJING_BEFORE,
          '--after',
          NANJING_AFTER,
          '--out',
          gj,
          '--quiet',
        ).code,
      ).toBe(0);
      expect(
        landwatch(
          'detect',
          '--before',
          NANJING_BEFORE,
          '--after',
          NANJING_AFTER,
          '--out',
          shp,
          '--quiet',
        ).code,
      ).toBe(0);
      expect(execFileSync('ogrinfo', ['-ro', '-al', '-so', gj], { encoding: 'utf8' })).toMatch(
        /WGS 84/,
      );
      expect(existsSync(join(out, 'nanjing.prj')) && existsSync(join(out, 'nanjing.cpg'))).toBe(
        true,
      );
      expect(execFileSync('ogrinfo', ['-ro', '-al', '-so', shp], { encoding: 'utf8' })).toMatch(
        /UTM zone 50N/,
      );
    },
    180_000,
  );
});

describe.skipIf(!built)('landwatch detect refuses bad input with one clear line', () => {
  const notTiff = join(out, 'notes.tif');
  writeFileSync(notTiff, 'field notes, not an image');
  const cases: [string, string[], RegExp][] = [
    [
      'a missing file',
      [
        '--before',
        join(out, 'missing.tif'),
        '--after',
        NANJING_AFTER,
        '--out',
        join(out, 'x.gpkg'),
      ],
      /missing\.tif: file not found/,
    ],
    [
      'a file that is not a TIFF',
      ['--before', notTiff, '--after', NANJING_AFTER, '--out', join(out, 'x.gpkg')],
      /notes\.tif: not a TIFF/,
    ],
    [
      'a bad threshold',
      [
        '--before',
        NANJING_BEFORE,
        '--after',
        NANJING_AFTER,
        '--out',
        join(out, 'x.gpkg'),
        '--threshold',
        '7',
      ],
      /--threshold 7/,
    ],
    [
      'an unknown output format',
      ['--before', NANJING_BEFORE, '--after', NANJING_AFTER, '--out', join(out, 'x.kml')],
      /x\.kml: use a \.gpkg/,
    ],
    [
      'both --full-sweep and --screening',
      [
        '--before',
        NANJING_BEFORE,
        '--after',
        NANJING_AFTER,
        '--out',
        join(out, 'x.gpkg'),
        '--full-sweep',
        '--screening',
      ],
      /--full-sweep and --screening contradict/,
    ],
    [
      'a missing option',
      ['--after', NANJING_AFTER, '--out', join(out, 'x.gpkg')],
      /--before is required/,
    ],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = landwatch('detect', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^landwatch: error: /);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(out, 'x.gpkg'))).toBe(false);
  });

  it.skipIf(!hasData)('dates in different CRSs', () => {
    const r = landwatch(
      'detect',
      '--before',
      NANJING_BEFORE,
      '--after',
      dataPath('geotiff', 'misc', 'RGB.byte.tif'),
      '--out',
      join(out, 'y.gpkg'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RGB\.byte\.tif is in EPSG:32618/);
  });

  it.skipIf(!hasData)('an existing output without --overwrite', () => {
    const existing = join(out, 'exists.gpkg');
    writeFileSync(existing, 'keep me');
    const r = landwatch(
      'detect',
      '--before',
      NANJING_BEFORE,
      '--after',
      NANJING_AFTER,
      '--out',
      existing,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists; pass --overwrite/);
  });
});
