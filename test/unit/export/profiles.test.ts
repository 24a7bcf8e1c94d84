import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyProfile } from '../../../electron/engine/export/apply-profile.js';
import {
  LANDWATCH_PROFILE,
  LAND_SURVEY_PROFILE,
  resolveProfile,
} from '../../../electron/engine/export/builtin-profiles.js';
import { PATCH_ATTRIBUTE_NAMES } from '../../../electron/engine/export/patch-attributes.js';
import {
  loadProfile,
  parseProfile,
  profileJsonSchema,
} from '../../../electron/engine/export/profiles.js';
import { makeTempDir } from './gdal-cli.js';
import { samplePatchLayer } from './patch-fixtures.js';

const { dir, cleanup } = makeTempDir('profiles');
afterAll(cleanup);

/** A small valid user profile; tests break one thing at a time. */
function userProfile(): Record<string, unknown> {
  return {
    kind: 'landwatch-export-profile',
    version: 1,
    id: 'county-a',
    name: 'County A delivery',
    fields: [
      { code: 'BH', source: 'number', type: 'integer', width: 6 },
      { code: 'MJ', source: 'area_m2', type: 'real', width: 12, decimals: 1 },
      { code: 'XZQDM', value: '320115', type: 'text', width: 6 },
      {
        code: 'ZT',
        source: 'state',
        type: 'integer',
        values: { unreviewed: 0, confirmed: 1, rejected: 2, field_check: 3 },
      },
    ],
  };
}

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('built-in profiles', () => {
  it('land-survey uses short ASCII codes that fit a shapefile in any encoding', () => {
    const codes = LAND_SURVEY_PROFILE.fields.map((f) => f.code);
    expect(codes).toEqual(
      expect.arrayContaining(['TBBH', 'TBMJ', 'MU', 'TBLX', 'XZ', 'QSX', 'HSX', 'JCRQ']),
    );
    expect(codes).toEqual(expect.arrayContaining(['ZXDX', 'ZXDY', 'BZ', 'SHZT', 'SHR']));
    for (const code of codes) expect(code).toMatch(/^[A-Z]{1,10}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('landwatch writes every attribute under its full name', () => {
    expect(LANDWATCH_PROFILE.fields.map((f) => f.code)).toEqual(PATCH_ATTRIBUTE_NAMES);
  });

  it('are found by name and alias; other names are refused with the choices', () => {
    expect(resolveProfile('builtin')).toBe(LAND_SURVEY_PROFILE);
    expect(resolveProfile('Land-Survey')).toBe(LAND_SURVEY_PROFILE);
    expect(resolveProfile('full')).toBe(LANDWATCH_PROFILE);
    expect(() => resolveProfile('national')).toThrow(
      /Unknown export profile "national": use builtin/,
    );
  });
});

describe('user profiles', () => {
  it('load from a JSON file (a UTF-8 BOM is fine) and resolve by path', () => {
    const path = write('county.json', `\uFEFF${JSON.stringify(userProfile())}`);
    expect(loadProfile(path).fields.map((f) => f.code)).toEqual(['BH', 'MJ', 'XZQDM', 'ZT']);
    expect(resolveProfile(path).id).toBe('county-a');
  });

  it('name the file and every problem with its place in it', () => {
    const bad = userProfile();
    const fields = bad.fields as Record<string, unknown>[];
    fields[0].type = 'string';
    fields[1].width = 300;
    delete bad.kind;
    const path = write('bad.json', bad);
    let message = '';
    try {
      loadProfile(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^bad\.json is not a valid LandWatch export profile:/);
    expect(message).toContain('kind: kind must be "landwatch-export-profile"');
    expect(message).toContain('fields[0] ("BH").type: type must be "integer", "real", "text"');
    expect(message).toContain('fields[1] ("MJ").width:');
  });

  it.each([
    [
      'an unknown source',
      (p: Record<string, unknown>[]) => (p[0].source = 'area'),
      'fields[0] ("BH"): unknown source "area"; LandWatch attributes are patch_id, number',
    ],
    [
      'duplicate codes',
      (p: Record<string, unknown>[]) => (p[1].code = 'bh'),
      'fields[1] ("bh"): code "bh" is also used by fields[0]',
    ],
    [
      'decimals on a text field',
      (p: Record<string, unknown>[]) => (p[2].decimals = 2),
      '"decimals" applies to real fields only',
    ],
    [
      'decimals wider than the width',
      (p: Record<string, unknown>[]) => (p[1].decimals = 11),
      '11 decimals need a width of at least 13',
    ],
    [
      'both source and value',
      (p: Record<string, unknown>[]) => (p[2].source = 'number'),
      'give either "source" (a LandWatch attribute) or "value" (a constant)',
    ],
    [
      'text codes for an integer field',
      (p: Record<string, unknown>[]) =>
        ((p[3].values as Record<string, unknown>).confirmed = '已确认'),
      '"已确认" is not a number, but the field is integer',
    ],
    [
      'an unknown key',
      (p: Record<string, unknown>[]) => (p[0].lenght = 5),
      'fields[0] ("BH"): Unrecognized key: "lenght"',
    ],
  ])('refuse %s', (_, breakIt, expected) => {
    const profile = userProfile();
    breakIt(profile.fields as Record<string, unknown>[]);
    expect(() => parseProfile(profile, 'p.json')).toThrow(expected);
  });

  it('refuse unreadable files and bad JSON with the file name', () => {
    expect(() => loadProfile(join(dir, 'missing.json'))).toThrow(/missing\.json: profile file/);
    expect(() => loadProfile(write('broken.json', '{"kind": '))).toThrow(
      /broken\.json is not valid JSON/,
    );
  });

  it('have a JSON Schema for editors', () => {
    const schema = profileJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['kind', 'version', 'id', 'fields']),
    );
  });
});

describe('applyProfile', () => {
  it('renames, maps codes, cuts timestamps to days and rounds to the declared decimals', () => {
    const { layer, problems } = applyProfile(samplePatchLayer(), LAND_SURVEY_PROFILE);
    expect(problems).toEqual([]);
    expect(layer.name).toBe('JCTB');
    expect(layer.fields.find((f) => f.name === 'TBMJ')).toEqual({
      name: 'TBMJ',
      type: 'real',
      width: 15,
      decimals: 2,
      title: '图斑面积（平方米）',
    });
    expect(layer.features[0].properties).toMatchObject({
      TBBH: '1',
      TBLX: '01',
      TBMJ: 9600,
      MU: 14.4,
      XZ: '违法',
      HCJG: '属实',
      ZDH: '320115-004-0123',
      SHZT: '已确认',
      SHR: '王建国',
      SHRQ: '2024-05-12',
      JCRQ: '2024-05-10',
      QSX: '2023-04-18',
      HSX: '2024-05-02',
      ZXD: 0.9312,
      SHYJ: '确认为新增建筑，需要现场核查',
      BZ: '新建厂房，未批先建',
    });
    // The centroid of a square with a centred hole is the square's centre.
    expect(layer.features[0].properties.ZXDX).toBe(450050);
    expect(layer.features[0].properties.ZXDY).toBe(4420050);
    expect(layer.features[3].properties).toMatchObject({ TBLX: null, SHZT: '未审核', SHYJ: null });
    // Codes a project added itself pass through.
    expect(layer.features[2].properties.TBLX).toBe('99');
  });

  it('writes constants and reports values without a code once per value', () => {
    const profile = parseProfile(userProfile());
    const source = samplePatchLayer();
    source.features[1].properties.state = 'archived';
    source.features[2].properties.state = 'archived';
    const { layer, problems } = applyProfile(source, profile);
    expect(layer.features.map((f) => f.properties.XZQDM)).toEqual(Array(4).fill('320115'));
    expect(layer.features.map((f) => f.properties.ZT)).toEqual([1, null, null, 0]);
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'unmapped-value',
        field: 'ZT',
        feature: 2,
        message: expect.stringContaining(
          'Field ZT: state "archived" of feature 2 and 1 more has no code in profile "county-a"',
        ),
      }),
    ]);
  });

  it('keeps or nulls unmapped values when the profile says so', () => {
    const profile = userProfile();
    const zt = (profile.fields as Record<string, unknown>[])[3];
    zt.type = 'text';
    zt.values = { confirmed: 'Y' };
    zt.unmapped = 'keep';
    const kept = applyProfile(samplePatchLayer(), parseProfile(profile)).layer;
    expect(kept.features.map((f) => f.properties.ZT)).toEqual([
      'Y',
      'field_check',
      'rejected',
      'unreviewed',
    ]);
    zt.unmapped = 'null';
    const nulled = applyProfile(samplePatchLayer(), parseProfile(profile)).layer;
    expect(nulled.features.map((f) => f.properties.ZT)).toEqual(['Y', null, null, null]);
  });
});
