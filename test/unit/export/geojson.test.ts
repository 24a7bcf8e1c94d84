import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, describe, expect, it } from 'vitest';
import {
  toGeoJsonObject,
  writeGeoJson,
  type GeoJsonFeatureCollection,
} from '../../../electron/engine/export/geojson.js';
import { writeGeoPackage } from '../../../electron/engine/export/gpkg.js';
import { signedArea2 } from '../../../electron/engine/export/geometry.js';
import type { ExportLayer } from '../../../electron/engine/export/types.js';
import { sampleLayer, square, X0, Y0 } from './fixtures.js';
import { gdalAvailable, makeTempDir, runGdal, runGdalClean } from './gdal-cli.js';

const { dir, cleanup } = makeTempDir('geojson');
afterAll(cleanup);

/** EPSG:26716 (NAD27 / UTM zone 16N) without its datum grid. */
const NAD27_UTM16 = '+proj=utm +zone=16 +ellps=clrk66 +units=m +no_defs';

/** UTM 50N (450000, 4420000) in WGS 84, computed with PROJ (gdaltransform). */
const CORNER_LONLAT = [116.414854023998, 39.9286320684291];

describe('toGeoJsonObject', () => {
  const collection = toGeoJsonObject(sampleLayer());

  it('reprojects to lon/lat: a known UTM point lands within 1e-6 degrees', () => {
    const [lon, lat] = (collection.features[0].geometry!.coordinates as number[][][])[0][0];
    expect(Math.abs(lon - CORNER_LONLAT[0])).toBeLessThan(1e-6);
    expect(Math.abs(lat - CORNER_LONLAT[1])).toBeLessThan(1e-6);
  });

  it('winds exteriors counter-clockwise and holes clockwise, with at most 7 decimals', () => {
    for (const feature of collection.features) {
      const geometry = feature.geometry!;
      const polygons = (
        geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
      ) as number[][][][];
      for (const polygon of polygons) {
        polygon.forEach((ring, i) => expect(signedArea2(ring) > 0).toBe(i === 0));
        for (const [x, y] of polygon.flat()) {
          expect(Math.round(x * 1e7) / 1e7).toBe(x);
          expect(Math.round(y * 1e7) / 1e7).toBe(y);
        }
      }
    }
    expect(collection.features.map((f) => f.geometry?.type)).toEqual([
      'Polygon',
      'MultiPolygon',
      'Polygon',
    ]);
  });

  it('has no crs member and keeps properties, nulls included', () => {
    expect(collection).not.toHaveProperty('crs');
    expect(collection.features[1].properties).toEqual({
      number: 2,
      area_m2: 3300.25,
      state: 'unreviewed',
      comment: null,
      detected: null,
    });
  });

  it('passes EPSG:4326 through and refuses a layer with no CRS', () => {
    const wgs: ExportLayer = {
      name: 'wgs',
      crs: { epsg: 4326, wkt: null, proj4: null },
      fields: [],
      features: [
        {
          geometry: { type: 'Polygon', coordinates: [square(116.123456789, 39.5, 0.001, true)] },
          properties: {},
        },
      ],
    };
    const ring = (toGeoJsonObject(wgs).features[0].geometry!.coordinates as number[][][])[0];
    expect(ring[0]).toEqual([116.1234568, 39.5]);
    expect(signedArea2(ring)).toBeGreaterThan(0);
    expect(() => toGeoJsonObject({ ...wgs, crs: { epsg: null, wkt: null, proj4: null } })).toThrow(
      /CRS is unknown/,
    );
  });

  it('reprojects from an EPSG code alone (proj4 looked up)', () => {
    const layer = { ...sampleLayer(), crs: { epsg: 32650, wkt: null, proj4: null } };
    const [lon] = (toGeoJsonObject(layer).features[0].geometry!.coordinates as number[][][])[0][0];
    expect(Math.abs(lon - CORNER_LONLAT[0])).toBeLessThan(1e-6);
  });

  it.each([
    ['an EPSG code the table defines with NTv2_0.gsb', { epsg: 26716, wkt: null, proj4: null }],
    ['its own proj4', { epsg: null, wkt: null, proj4: `${NAD27_UTM16} +nadgrids=ntv1_can.dat` }],
  ])(
    'reprojects a CRS with a datum grid proj4js cannot load, given by %s, without it',
    (_, crs) => {
      const withoutGrid = { ...sampleLayer(), crs: { epsg: null, wkt: null, proj4: NAD27_UTM16 } };
      const ours = toGeoJsonObject({ ...sampleLayer(), crs });
      expect(ours).toEqual(toGeoJsonObject(withoutGrid));
      const [lon, lat] = (ours.features[0].geometry!.coordinates as number[][][])[0][0];
      const want = proj4(NAD27_UTM16, 'WGS84').forward([X0, Y0]);
      expect(Math.abs(lon - want[0])).toBeLessThan(1e-7);
      expect(Math.abs(lat - want[1])).toBeLessThan(1e-7);
    },
  );
});

describe('writeGeoJson', () => {
  const path = join(dir, 'changes.geojson');

  it('writes a file that parses as the same collection', () => {
    expect(writeGeoJson(path, sampleLayer())).toEqual({ files: [path], features: 3 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(toGeoJsonObject(sampleLayer()));
    expect(() => writeGeoJson(path, sampleLayer())).toThrow(/already exists/);
  });

  it.skipIf(!gdalAvailable)('ogrinfo opens it as EPSG:4326 with 3 features', () => {
    const out = runGdalClean('ogrinfo', ['-ro', '-so', '-al', path]);
    expect(out).toContain('Feature Count: 3');
    expect(out).toMatch(/ID\["EPSG",4326\]\]/);
    expect(out).toContain('detected: Date');
    const values = runGdalClean('ogrinfo', ['-ro', '-q', '-al', path]);
    expect(values).toContain('comment (String) = 新建厂房，需要现场核查');
  });

  it.skipIf(!gdalAvailable)('matches ogr2ogr -lco RFC7946=YES vertex for vertex', () => {
    // Independent check: GDAL/PROJ reproject the same layer (written as a GeoPackage).
    const gpkg = join(dir, 'source.gpkg');
    const viaGdal = join(dir, 'gdal.geojson');
    writeGeoPackage(gpkg, sampleLayer());
    runGdal('ogr2ogr', ['-f', 'GeoJSON', '-lco', 'RFC7946=YES', viaGdal, gpkg], {
      GPKG_WARN_UNRECOGNIZED_APPLICATION_ID: 'NO',
    });
    const theirs = JSON.parse(readFileSync(viaGdal, 'utf8')) as GeoJsonFeatureCollection;
    const ours = toGeoJsonObject(sampleLayer());
    ours.features.forEach((feature, i) => {
      const a = JSON.stringify(feature.geometry?.coordinates)
        .match(/-?[\d.]+/g)!
        .map(Number);
      // GDAL writes every feature as MultiPolygon here (the GeoPackage layer type).
      const b = JSON.stringify(theirs.features[i].geometry?.coordinates)
        .match(/-?[\d.]+/g)!
        .map(Number);
      expect(a.length).toBe(b.length);
      a.forEach((v, k) => expect(Math.abs(v - b[k])).toBeLessThan(1e-6));
    });
  });
});
