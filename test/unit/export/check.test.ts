import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportFormat } from '../../../electron/common/contract.js';
import {
  LANDWATCH_PROFILE,
  LAND_SURVEY_PROFILE,
} from '../../../electron/engine/export/builtin-profiles.js';
import { checkExport } from '../../../electron/engine/export/check.js';
import { exportWithProfile } from '../../../electron/engine/export/export-with-profile.js';
import { parseProfile, type ExportProfile } from '../../../electron/engine/export/profiles.js';
import type { DbfEncoding } from '../../../electron/engine/export/text-encoding.js';
import type { ExportLayer, ExportProblem } from '../../../electron/engine/export/types.js';
import { X0, Y0 } from './fixtures.js';
import { makeTempDir } from './gdal-cli.js';
import { samplePatchLayer, samplePatches } from './patch-fixtures.js';

const { dir, cleanup } = makeTempDir('check');
afterAll(cleanup);

/** A profile with the given fields (source: number unless said otherwise). */
function profileOf(fields: Record<string, unknown>[]): ExportProfile {
  return parseProfile({
    kind: 'landwatch-export-profile',
    version: 1,
    id: 'test',
    name: 'test',
    fields: fields.map((f) => ({ source: 'number', type: 'text', ...f })),
  });
}

function problemsOf(
  layer: ExportLayer,
  profile: ExportProfile,
  format: ExportFormat = 'shp',
  encoding: DbfEncoding = 'UTF-8',
): ExportProblem[] {
  return checkExport(layer, profile, { format, encoding }).problems;
}

/** The sample layer with one attribute of one feature changed. */
function withValue(feature: number, name: string, value: string | number | null): ExportLayer {
  const layer = samplePatchLayer();
  layer.features[feature].properties[name] = value;
  return layer;
}

describe('checkExport', () => {
  it.each(['shp', 'gpkg', 'geojson'] as const)(
    'passes the demo-like patches with the built-in profiles (%s)',
    (format) => {
      for (const encoding of ['UTF-8', 'GBK'] as const) {
        const shpOnly = format === 'shp' ? encoding : 'UTF-8';
        expect(problemsOf(samplePatchLayer(), LAND_SURVEY_PROFILE, format, shpOnly)).toEqual([]);
        expect(problemsOf(samplePatchLayer(), LANDWATCH_PROFILE, format, shpOnly)).toEqual(
          format === 'shp' ? expect.anything() : [],
        );
      }
    },
  );

  it('counts field names in bytes of the encoding: 3 Chinese characters fit UTF-8, 4 do not', () => {
    const profile = profileOf([{ code: '图斑号' }, { code: '图斑编号' }]);
    const utf8 = problemsOf(samplePatchLayer(), profile, 'shp', 'UTF-8');
    expect(utf8).toEqual([
      expect.objectContaining({
        code: 'name-too-long',
        field: '图斑编号',
        message:
          'Field name 图斑编号 is 12 bytes in UTF-8; shapefile names hold 10 (3 Chinese characters in UTF-8, 5 in GBK) and GIS tools would cut it to "图斑编". Give it a shorter code.',
      }),
    ]);
    expect(problemsOf(samplePatchLayer(), profile, 'shp', 'GBK')).toEqual([]);
    // GeoPackage and GeoJSON have no such limit: the full-name profile is for them.
    expect(problemsOf(samplePatchLayer(), profile, 'gpkg')).toEqual([]);
  });

  it('finds names that collide once cut to 10 bytes', () => {
    const profile = profileOf([
      { code: 'AREA_SQ_METRES' },
      { code: 'AREA_SQ_METRES_MU' },
      { code: 'NOTE' },
    ]);
    const found = problemsOf(samplePatchLayer(), profile).filter(
      (p) => p.code === 'name-duplicate',
    );
    expect(found.map((p) => p.message)).toEqual([
      'Fields AREA_SQ_METRES, AREA_SQ_METRES_MU all become "AREA_SQ_ME" when cut to 10 bytes in UTF-8; give them distinct short codes.',
    ]);
  });

  it('measures text in bytes of the encoding: 100 Chinese characters are 300 bytes in UTF-8', () => {
    const layer = withValue(2, 'note', '违'.repeat(100));
    expect(problemsOf(layer, LAND_SURVEY_PROFILE, 'shp', 'UTF-8')).toEqual([
      {
        severity: 'error',
        code: 'text-too-long',
        field: 'BZ',
        feature: 3,
        message:
          'Field BZ, feature 3: the text is 300 bytes in UTF-8, but shapefiles hold at most 254; shorten it or export to GeoPackage.',
      },
    ]);
    expect(problemsOf(layer, LAND_SURVEY_PROFILE, 'shp', 'GBK')).toEqual([]);
  });

  it("holds text to the profile's declared width", () => {
    const layer = withValue(0, 'change_class', '0101A');
    expect(problemsOf(layer, LAND_SURVEY_PROFILE).map((p) => p.message)).toEqual([
      'Field TBLX, feature 1: the text is 5 bytes in UTF-8, but TBLX holds 4 (C(4) in the profile); shorten it or widen the field.',
    ]);
    // In a GeoPackage the width is advisory: a warning, not an error.
    const gpkg = checkExport(layer, LAND_SURVEY_PROFILE, { format: 'gpkg' });
    expect(gpkg.ok).toBe(true);
    expect(gpkg.problems).toEqual([
      expect.objectContaining({ severity: 'warning', field: 'TBLX' }),
    ]);
  });

  it('names characters GBK cannot hold, in values and in field names', () => {
    const layer = withValue(1, 'reviewer', 'Zoé 😀');
    const gbk = problemsOf(layer, LAND_SURVEY_PROFILE, 'shp', 'GBK');
    expect(gbk.map((p) => p.message)).toEqual([
      'Field SHR, feature 2: "😀" (U+1F600) cannot be written in GBK (GIS tools would show "?"); change the text or export as UTF-8.',
    ]);
    expect(problemsOf(layer, LAND_SURVEY_PROFILE, 'shp', 'UTF-8')).toEqual([]);
    const named = problemsOf(samplePatchLayer(), profileOf([{ code: '면적' }]), 'shp', 'GBK');
    expect(named[0]).toMatchObject({ code: 'not-encodable', field: '면적' });
  });

  it('finds numbers wider than their declared width and precision', () => {
    const layer = withValue(3, 'area_m2', 1.5e13);
    expect(problemsOf(layer, LAND_SURVEY_PROFILE)).toEqual([
      expect.objectContaining({
        code: 'number-too-wide',
        field: 'TBMJ',
        feature: 4,
        message:
          'Field TBMJ, feature 4: 15000000000000.00 needs 17 characters, but the field is N(15,2); widen it in the profile (at most 19).',
      }),
    ]);
    const integer = profileOf([{ code: 'BH', type: 'integer', width: 3 }]);
    const wide = withValue(0, 'number', 12345);
    expect(problemsOf(wide, integer)[0].message).toBe(
      'Field BH, feature 1 (patch 12345): 12345 needs 5 characters, but the field is N(3); widen it in the profile (at most 19).',
    );
  });

  it('refuses values of the wrong type, naming field and feature', () => {
    const profile = profileOf([{ code: 'RQ', source: 'comment', type: 'date' }]);
    const problems = problemsOf(samplePatchLayer(), profile, 'gpkg');
    expect(problems[0]).toMatchObject({ code: 'bad-value', field: 'RQ', feature: 1 });
    expect(problems[0].message).toMatch(
      /^Feature 1, field "RQ": expected a date as YYYY-MM-DD \(got "确认为新增建筑/,
    );
  });

  it.each(['shp', 'gpkg', 'geojson'] as const)('refuses a layer without a CRS (%s)', (format) => {
    const layer = { ...samplePatchLayer(), crs: { epsg: null, wkt: null, proj4: null } };
    const [problem] = problemsOf(layer, LAND_SURVEY_PROFILE, format);
    expect(problem.code).toBe('missing-crs');
    if (format === 'shp') expect(problem.message).toMatch(/no \.prj would be written/);
  });

  it('warns that GeoJSON positions are approximate when a datum grid is missing', () => {
    // EPSG:26716 (NAD27 / UTM 16N) shifts datum with NTv2_0.gsb, which LandWatch does not ship.
    const layer = { ...samplePatchLayer(), crs: { epsg: 26716, wkt: null, proj4: null } };
    const geojson = problemsOf(layer, LAND_SURVEY_PROFILE, 'geojson');
    expect(geojson).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'datum-approximate' }),
    ]);
    expect(geojson[0].message).toMatch(/grid NTv2_0\.gsb, which is not available/);
    // Shapefile and GeoPackage keep the layer's own coordinates: nothing to warn about.
    expect(problemsOf(layer, LAND_SURVEY_PROFILE, 'gpkg')).toEqual([]);
    expect(problemsOf(samplePatchLayer(), LAND_SURVEY_PROFILE, 'geojson')).toEqual([]);
  });

  it('finds invalid and empty geometries', () => {
    const layer = samplePatchLayer();
    const bowTie = [
      [X0, Y0],
      [X0 + 10, Y0 + 10],
      [X0 + 10, Y0],
      [X0, Y0 + 10],
      [X0, Y0],
    ];
    layer.features[0].geometry = { type: 'Polygon', coordinates: [bowTie] };
    layer.features[1].geometry = { type: 'Polygon', coordinates: [[[X0, Y0]]] };
    layer.features[2].geometry = { type: 'MultiPolygon', coordinates: [] };
    const problems = problemsOf(layer, LAND_SURVEY_PROFILE, 'gpkg');
    expect(problems.map((p) => [p.severity, p.code, p.feature, p.message])).toEqual([
      [
        'error',
        'invalid-geometry',
        1,
        'feature 1 is not a valid polygon: ring 0 self-intersects; fix its outline before exporting.',
      ],
      ['error', 'invalid-geometry', 2, 'feature 2: a ring has 1 positions; at least 4 are needed.'],
      [
        'warning',
        'empty-geometry',
        3,
        'feature 3 has an empty geometry; it would be written without a shape.',
      ],
    ]);
  });

  it('warns about options that do not apply and GeoPackage reserved names', () => {
    const profile = profileOf([{ code: 'FID' }]);
    const problems = problemsOf(samplePatchLayer(), profile, 'gpkg', 'GBK');
    expect(problems.map((p) => [p.severity, p.code])).toEqual([
      ['warning', 'option-ignored'],
      ['error', 'name-reserved'],
    ]);
  });
});

describe('exportWithProfile', () => {
  it('writes nothing and lists every error when the check fails', () => {
    const layer = withValue(0, 'note', '违'.repeat(100));
    layer.features[1].properties.state = 'archived';
    layer.crs = { epsg: null, wkt: null, proj4: null };
    const path = join(dir, 'refused.shp');
    let error: { code?: string; message?: string } = {};
    try {
      exportWithProfile(path, layer, LAND_SURVEY_PROFILE, { encoding: 'UTF-8' });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('E_OUTPUT');
    expect(error.message).toMatch(
      /^Nothing was written to .*refused\.shp: 3 problems with profile "land-survey" must be fixed first:\n - /,
    );
    expect(error.message).toContain(' - Field SHZT: state "archived" of feature 2 has no code');
    expect(error.message).toContain(' - Layer "changes": it has no CRS');
    expect(error.message).toContain(' - Field BZ, feature 1: the text is 300 bytes in UTF-8');
    expect(readdirSync(dir).filter((f) => f.startsWith('refused'))).toEqual([]);
  });

  it('writes when the check passes and returns the warnings', () => {
    const layer = samplePatchLayer(samplePatches());
    const path = join(dir, 'ok.gpkg');
    const summary = exportWithProfile(path, layer, LAND_SURVEY_PROFILE, { encoding: 'GBK' });
    expect(summary.features).toBe(4);
    expect(summary.warnings.map((w) => w.code)).toEqual(['option-ignored']);
    expect(existsSync(path)).toBe(true);
  });
});
