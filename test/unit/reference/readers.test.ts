/**
 * The reference-layer readers on files GDAL wrote: a GeoJSON made here (WGS 84, a polygon with a
 * hole, a two-part multipolygon, Chinese attributes) converted by ogr2ogr into Shapefiles in UTF-8
 * and GBK and into a GeoPackage, read back with the same features, attributes and geometry; the
 * reprojection onto a UTM scene agrees with GDAL's own; files without a CRS or without polygons
 * are refused with a message naming the file.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import { readLayerFile, readSceneLayer } from '../../../electron/engine/reference/read-layer.js';
import { resolveSceneCrs } from '../../../electron/engine/reference/reproject.js';
import type { PolygonRings, SourceLayer } from '../../../electron/engine/reference/types.js';
import { gdalAvailable, makeTempDir, runGdalClean } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('reference-readers');
afterAll(cleanup);

const LON = 117.2;
const LAT = 31.8;
const box = (x: number, y: number, w: number, h: number, ccw = true): number[][] => {
  const ring = [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
    [x, y],
  ];
  return ccw ? ring : ring.reverse();
};

/** Three features: a plot with a hole, a two-part multipolygon, a plain square. */
export const SOURCE = {
  type: 'FeatureCollection',
  name: 'approved',
  features: [
    {
      type: 'Feature',
      properties: { name: '批准用地一号', code: 'PZ-001', area_ha: 1.25, year: 2021 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          box(LON, LAT, 0.002, 0.002),
          box(LON + 0.0005, LAT + 0.0005, 0.0005, 0.0005, false),
        ],
      },
    },
    {
      type: 'Feature',
      properties: { name: '基本农田（保护区）', code: 'NT-07', area_ha: 0.5, year: 2019 },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [[box(LON + 0.004, LAT, 0.001, 0.001)], [box(LON + 0.006, LAT, 0.001, 0.001)]],
      },
    },
    {
      type: 'Feature',
      properties: { name: 'plain, "quoted"', code: 'X', area_ha: 0.1, year: 2024 },
      geometry: { type: 'Polygon', coordinates: [box(LON, LAT + 0.004, 0.001, 0.001)] },
    },
  ],
};

const geojsonPath = join(dir, 'approved.geojson');
beforeAll(() => writeFileSync(geojsonPath, JSON.stringify(SOURCE)));

/** Area-independent shape summary: parts and ring counts per feature. */
const shape = (layer: SourceLayer) => layer.features.map((f) => f.polygons.map((p) => p.length));

/** Largest coordinate difference between two polygon lists (same structure). */
function maxDiff(a: PolygonRings[], b: PolygonRings[]): number {
  let d = 0;
  a.forEach((poly, i) =>
    poly.forEach((ring, k) => {
      const other = b[i][k];
      // Writers may start a ring at another vertex or wind it the other way: compare as sets.
      for (const p of ring) {
        const nearest = Math.min(...other.map((q) => Math.hypot(p[0] - q[0], p[1] - q[1])));
        d = Math.max(d, nearest);
      }
    }),
  );
  return d;
}

describe('GeoJSON', () => {
  it('reads polygons, holes, multipolygons and attributes in WGS 84', () => {
    const layer = readLayerFile(geojsonPath);
    expect(layer.name).toBe('approved');
    expect(layer.crs).toEqual({ epsg: 4326, wkt: null });
    expect(layer.fields).toEqual(['name', 'code', 'area_ha', 'year']);
    expect(shape(layer)).toEqual([[2], [1, 1], [1]]);
    expect(layer.features[1].properties.name).toBe('基本农田（保护区）');
  });

  it('refuses layers without polygons, naming the file', () => {
    const points = join(dir, 'wells.geojson');
    writeFileSync(
      points,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } },
        ],
      }),
    );
    const scene = resolveSceneCrs({ epsg: 32650, wkt: null, proj4: null }, 'test');
    expect(() => readSceneLayer(points, scene)).toThrow(
      /wells\.geojson has no polygon features \(1 features/,
    );
    writeFileSync(join(dir, 'broken.geojson'), '{"type": "Feature",');
    expect(() => readLayerFile(join(dir, 'broken.geojson'))).toThrow(
      /broken\.geojson: not valid JSON/,
    );
    // Projected coordinates without a "crs" member are refused, never read as lon/lat.
    const utm = [
      [662100, 3547600],
      [662200, 3547600],
      [662200, 3547700],
      [662100, 3547600],
    ];
    writeFileSync(
      join(dir, 'utm-no-crs.geojson'),
      JSON.stringify({ type: 'Polygon', coordinates: [utm] }),
    );
    expect(() => readLayerFile(join(dir, 'utm-no-crs.geojson'))).toThrow(
      /utm-no-crs\.geojson: it has no "crs" member.*\(662100, 3547600\), outside ±180 \/ ±90/,
    );
    writeFileSync(
      join(dir, 'utm-crs.geojson'),
      JSON.stringify({
        type: 'Polygon',
        crs: { type: 'name', properties: { name: 'EPSG:32650' } },
        coordinates: [utm],
      }),
    );
    expect(readLayerFile(join(dir, 'utm-crs.geojson')).crs?.epsg).toBe(32650);
    expect(() => readLayerFile(join(dir, 'missing.shp'))).toThrow(/missing\.shp: file not found/);
    expect(() => readLayerFile(join(dir, 'approved.kml'))).toThrow(
      /file not found|\.shp, \.geojson/,
    );
  });
});

describe.skipIf(!gdalAvailable)('files written by GDAL', () => {
  const reference = () => readLayerFile(geojsonPath);

  it.each(['UTF-8', 'GBK'])('reads a Shapefile in %s with its .cpg and .prj', (encoding) => {
    const out = join(dir, `approved-${encoding}.shp`);
    runGdalClean('ogr2ogr', [
      '-f',
      'ESRI Shapefile',
      '-lco',
      `ENCODING=${encoding}`,
      out,
      geojsonPath,
    ]);
    expect(readFileSync(out.replace(/\.shp$/, '.cpg'), 'utf8').trim()).toMatch(
      encoding === 'GBK' ? /936|GBK/i : /UTF-8/i,
    );
    const layer = readLayerFile(out);
    const want = reference();
    expect(layer.features).toHaveLength(3);
    expect(shape(layer)).toEqual(shape(want));
    expect(layer.features.map((f) => f.properties)).toEqual(want.features.map((f) => f.properties));
    layer.features.forEach((f, i) =>
      expect(maxDiff(f.polygons, want.features[i].polygons)).toBe(0),
    );
    expect(layer.crs?.wkt).toMatch(/WGS_1984|WGS 84/);
    const scene = resolveSceneCrs({ epsg: 32650, wkt: null, proj4: null }, 'test');
    expect(readSceneLayer(out, scene).sourceCrs).toMatch(/EPSG:4326|WGS/);
  });

  it('reads a GBK Shapefile whose .cpg is missing (code page from the .dbf header)', () => {
    const out = join(dir, 'nocpg.shp');
    runGdalClean('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=GBK', out, geojsonPath]);
    rmSync(join(dir, 'nocpg.cpg'));
    expect(readLayerFile(out).features[0].properties.name).toBe('批准用地一号');
  });

  it('reads a GeoPackage with its CRS', () => {
    const out = join(dir, 'approved.gpkg');
    runGdalClean('ogr2ogr', ['-f', 'GPKG', '-nln', '批准用地', out, geojsonPath]);
    const layer = readLayerFile(out);
    const want = reference();
    expect(layer.name).toBe('批准用地');
    expect(layer.crs?.epsg).toBe(4326);
    expect(shape(layer)).toEqual(shape(want));
    expect(layer.features.map((f) => f.properties)).toEqual(want.features.map((f) => f.properties));
    layer.features.forEach((f, i) =>
      expect(maxDiff(f.polygons, want.features[i].polygons)).toBe(0),
    );
  });

  it('reprojects WGS 84 onto a UTM scene as GDAL does (within 1 mm)', () => {
    const utm = join(dir, 'approved-utm.geojson');
    runGdalClean('ogr2ogr', [
      '-f',
      'GeoJSON',
      '-t_srs',
      'EPSG:32650',
      '-lco',
      'RFC7946=NO',
      '-lco',
      'COORDINATE_PRECISION=6',
      utm,
      geojsonPath,
    ]);
    const byGdal = readLayerFile(utm);
    expect(byGdal.crs?.epsg).toBe(32650);
    const scene = resolveSceneCrs(
      { epsg: 32650, wkt: lookupEpsg(32650)!.wkt, proj4: lookupEpsg(32650)!.proj4 },
      'test',
    );
    for (const path of [geojsonPath, join(dir, 'approved-UTF-8.shp'), join(dir, 'approved.gpkg')]) {
      const ours = readSceneLayer(path, scene);
      expect(ours.features[0].polygons[0][0][0][0]).toBeGreaterThan(400_000); // metres now
      ours.features.forEach((f, i) =>
        expect(maxDiff(f.polygons, byGdal.features[i].polygons)).toBeLessThan(1e-3),
      );
    }
    // A UTM shapefile onto the same UTM scene is taken as it is.
    const shp = join(dir, 'approved-utm.shp');
    runGdalClean('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', shp, utm]);
    const same = readSceneLayer(shp, scene);
    same.features.forEach((f, i) =>
      expect(maxDiff(f.polygons, byGdal.features[i].polygons)).toBeLessThan(1e-6),
    );
  });

  it('refuses a Shapefile without a .prj, naming the file', () => {
    const out = join(dir, 'noprj.shp');
    runGdalClean('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', out, geojsonPath]);
    rmSync(join(dir, 'noprj.prj'));
    const scene = resolveSceneCrs({ epsg: 32650, wkt: null, proj4: null }, 'test');
    expect(() => readSceneLayer(out, scene)).toThrow(
      /noprj\.shp has no coordinate reference system/,
    );
  });

  it('refuses point and line shapefiles, naming the file', () => {
    const points = join(dir, 'points.geojson');
    writeFileSync(
      points,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { a: 1 },
            geometry: { type: 'Point', coordinates: [LON, LAT] },
          },
        ],
      }),
    );
    const out = join(dir, 'points.shp');
    runGdalClean('ogr2ogr', ['-f', 'ESRI Shapefile', out, points]);
    expect(() => readLayerFile(out)).toThrow(
      /points\.shp: it holds points; reference layers must be polygons/,
    );
    copyFileSync(join(dir, 'points.shp'), join(dir, 'points-copy.shp'));
    expect(() => readLayerFile(join(dir, 'points-copy.shp'))).toThrow(
      /points-copy\.shp: its \.dbf/,
    );
  });
});
