/**
 * Reference layers and a CRS whose proj4 definition names a datum grid proj4js cannot load (NAD27
 * in the EPSG table: `+nadgrids=NTv2_0.gsb`): imported as detection reads such a CRS, without the
 * grid, on the scene side and on the layer's side alike; the layer's CRS label says the grid was
 * left out, so the layer list tells the analyst its outlines are approximate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import { readSceneLayer } from '../../../electron/engine/reference/read-layer.js';
import { resolveSceneCrs, type SceneCrs } from '../../../electron/engine/reference/reproject.js';
import { makeTempDir } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('reference-reproject');
afterAll(cleanup);

/** EPSG:26716 (NAD27 / UTM zone 16N) without its datum grid. */
const NAD27_UTM16 = '+proj=utm +zone=16 +ellps=clrk66 +units=m +no_defs';

/** A one-square GeoJSON file; `crs` names its CRS (RFC 7946 WGS 84 when absent). */
function squareFile(name: string, ring: number[][], crs?: string): string {
  const path = join(dir, name);
  const feature = {
    type: 'Feature',
    properties: {},
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
  const doc = { type: 'FeatureCollection', features: [feature] };
  writeFileSync(
    path,
    JSON.stringify(crs ? { ...doc, crs: { type: 'name', properties: { name: crs } } } : doc),
  );
  return path;
}

/** Asserts each vertex of the layer's only ring is `from` → `to` of the given ring, within 1 µm. */
function expectRing(got: number[][], ring: number[][], from: string, to: string): void {
  const converter = proj4(from, to);
  expect(got).toHaveLength(ring.length);
  got.forEach((p, i) => {
    const want = converter.forward(ring[i]);
    expect(p[0]).toBeCloseTo(want[0], 6);
    expect(p[1]).toBeCloseTo(want[1], 6);
  });
}

describe('a CRS with a datum grid proj4js cannot load', () => {
  const lonLat = [
    [-87.01, 36],
    [-86.99, 36],
    [-86.99, 36.01],
    [-87.01, 36.01],
    [-87.01, 36],
  ];

  it.each<[string, SceneCrs]>([
    ['an EPSG code the table defines with NTv2_0.gsb', { epsg: 26716, wkt: null, proj4: null }],
    ['its own proj4', { epsg: null, wkt: null, proj4: `${NAD27_UTM16} +nadgrids=conus` }],
  ])('is accepted as the scene CRS, given by %s, as without the grid', (_, scene) => {
    const layer = readSceneLayer(squareFile('wgs84.geojson', lonLat), resolveSceneCrs(scene, 'p'));
    expectRing(layer.features[0].polygons[0][0], lonLat, 'WGS84', NAD27_UTM16);
  });

  it("is accepted as the layer's own CRS, as without the grid, and the layer says so", () => {
    const utm = [
      [500_000, 4_000_000],
      [501_000, 4_000_000],
      [501_000, 4_001_000],
      [500_000, 4_001_000],
      [500_000, 4_000_000],
    ];
    const path = squareFile('nad27.geojson', utm, 'urn:ogc:def:crs:EPSG::26716');
    const scene = resolveSceneCrs({ epsg: 32616, wkt: null, proj4: null }, 'p');
    const layer = readSceneLayer(path, scene);
    expect(layer.sourceCrs).toBe(
      'EPSG:26716 (datum grid NTv2_0.gsb not available: approximate, up to tens of metres)',
    );
    expectRing(layer.features[0].polygons[0][0], utm, NAD27_UTM16, lookupEpsg(32616)!.proj4!);
  });
});
