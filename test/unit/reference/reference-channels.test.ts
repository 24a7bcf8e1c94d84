/**
 * Reference layers through the backend, as the UI calls them: import (typed path, as over HTTP)
 * of a UTM GeoJSON with a hole and of the same ground in WGS 84, overlap areas and shares on the
 * patches, the queue filter (inside / outside a layer), recomputation when patches are reshaped,
 * split, merged, drawn or restored by undo, removal, and refusals that name the file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EditResult, PatchQueuePage } from '../../../electron/common/contract.js';
import type {
  ReferenceFeatureCollection,
  ReferenceLayerView,
  ReferenceOverlapView,
} from '../../../electron/common/reference-contract.js';
import { Backend } from '../../../electron/engine/api/backend.js';
import { lookupEpsg } from '../../../electron/engine/crs/epsg.js';
import { detection, newRun, rectRing, tempProject } from '../store/fixtures.js';
import { exportProject } from '../../../electron/engine/api/export-project.js';
import { openSqlite } from '../../../electron/engine/sqlite.js';
import { testHost } from '../../helpers/host.js';

const host = testHost();

const dir = mkdtempSync(join(tmpdir(), 'lw-ref-'));
let backend: Backend;
let projectId: string;

const call = <T>(channel: string, payload: Record<string, unknown> = {}) =>
  backend.handle(channel, { projectId, ...payload }) as Promise<T>;

/** A GeoJSON file of polygons (rings given in scene metres) in EPSG:32650 or lon/lat. */
function layerFile(name: string, polygons: number[][][][], wgs84 = false): string {
  const toLonLat = proj4(lookupEpsg(32650)!.proj4!, 'WGS84');
  const coords = wgs84
    ? polygons.map((rings) => rings.map((r) => r.map((p) => toLonLat.forward([p[0], p[1]]))))
    : polygons;
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      type: 'FeatureCollection',
      ...(wgs84
        ? {}
        : { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32650' } } }),
      features: coords.map((rings, i) => ({
        type: 'Feature',
        properties: { 名称: `地块${i + 1}`, n: i + 1 },
        geometry: { type: 'Polygon', coordinates: rings },
      })),
    }),
  );
  return path;
}

const shares = async (layerId: string, ids = ['1', '2', '3']): Promise<Record<string, number>> => {
  const out: Record<string, number> = {};
  for (const patchId of ids) {
    const overlaps = await call<ReferenceOverlapView[]>('reference.overlaps', { patchId });
    const hit = overlaps.find((o) => o.layerId === layerId);
    out[patchId] = hit ? Number(hit.share.toFixed(6)) : 0;
  }
  return out;
};

const queueIds = async (filter: Record<string, unknown>) =>
  (await call<PatchQueuePage>('patches.queue', { filter })).items.map((p) => p.id).sort();

let approved: ReferenceLayerView;

beforeAll(async () => {
  process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-ref-home-'));
  const { store, path } = tempProject('reference');
  // Patches 1 (0..10 × 0..10), 2 (10..20 × 0..10), 3 (100..120 × 100..130), scene metres.
  store.addRun(newRun(), [
    detection(0, 0, 10, 10, 0.9),
    detection(10, 0, 20, 10, 0.5),
    detection(100, 100, 120, 130, 0.6),
  ]);
  store.close();
  backend = new Backend(host);
  projectId = backend.projects.open(path);
  // Approved plot over 0..15 × 0..10 with a 2 × 5 hole in patch 1: patch 1 90 %, patch 2 50 %.
  approved = (await call<ReferenceLayerView>('reference.import', {
    kind: 'approved_construction',
    name: '批准用地',
    path: layerFile('approved.geojson', [[rectRing(0, 0, 15, 10), rectRing(2, 2, 4, 7).reverse()]]),
  }))!;
});
afterAll(async () => backend.dispose());

describe('reference.import and reference.overlaps', () => {
  it('imports, lists and serves the layer in the scene CRS', async () => {
    expect(approved).toMatchObject({
      name: '批准用地',
      kind: 'approved_construction',
      sourceName: 'approved.geojson',
      sourceCrs: 'EPSG:32650',
      fields: ['名称', 'n'],
      featureCount: 1,
      skipped: 0,
    });
    expect(approved.extent).toEqual([500_000, 3_499_488, 500_015, 3_499_498]);
    expect(await call<ReferenceLayerView[]>('reference.list')).toEqual([approved]);
    const fc = await call<ReferenceFeatureCollection>('reference.features', {
      layerId: approved.id,
    });
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0].properties).toEqual({ 名称: '地块1', n: 1 });
    expect(fc.features[0].geometry.coordinates[0]).toHaveLength(2); // exterior and hole
    const away = await call<ReferenceFeatureCollection>('reference.features', {
      layerId: approved.id,
      bbox: [0, 0, 1, 1],
    });
    expect(away.features).toEqual([]);
  });

  it('stores overlap area and share per patch (holes excluded)', async () => {
    const overlaps = await call<ReferenceOverlapView[]>('reference.overlaps', { patchId: '1' });
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]).toMatchObject({ layerId: approved.id, layerName: '批准用地' });
    expect(overlaps[0].areaM2).toBeCloseTo(100 - 10, 6);
    expect(await shares(approved.id)).toEqual({ 1: 0.9, 2: 0.5, 3: 0 });
    // All shares of one layer at once (for sorting the queue): patches outside it are absent.
    const all = await call<Record<string, number>>('reference.shares', { layerId: approved.id });
    expect(Object.keys(all).sort()).toEqual(['1', '2']);
    expect(all['1']).toBeCloseTo(0.9, 6);
    expect(all['2']).toBeCloseTo(0.5, 6);
  });

  it('gives the same shares for the layer in WGS 84 (reprojected on import)', async () => {
    const wgs = (await call<ReferenceLayerView>('reference.import', {
      kind: 'parcels',
      path: layerFile('parcels-wgs84.geojson', [[rectRing(0, 0, 15, 10)]], true),
    }))!;
    expect(wgs).toMatchObject({ sourceCrs: 'EPSG:4326', name: 'parcels-wgs84' });
    const got = await shares(wgs.id);
    expect(got[1]).toBeCloseTo(1, 5);
    expect(got[2]).toBeCloseTo(0.5, 5);
    expect(got[3]).toBe(0);
    expect(
      (await call<{ removed: boolean }>('reference.remove', { layerId: wgs.id })).removed,
    ).toBe(true);
    expect(await call<ReferenceLayerView[]>('reference.list')).toHaveLength(1);
    expect(await call('reference.overlaps', { patchId: '1' })).toHaveLength(1);
  });

  it('filters the queue by the share inside a layer', async () => {
    expect(await queueIds({ referenceOverlap: { layerId: approved.id } })).toEqual(['1', '2']);
    expect(await queueIds({ referenceOverlap: { layerId: approved.id, minShare: 0.6 } })).toEqual([
      '1',
    ]);
    // Outside approved construction: no part of the patch inside the layer.
    expect(await queueIds({ referenceOverlap: { layerId: approved.id, maxShare: 0 } })).toEqual([
      '3',
    ]);
    expect(
      await queueIds({ referenceOverlap: { layerId: approved.id, maxShare: 0.6 }, minAreaM2: 50 }),
    ).toEqual(['2', '3']);
  });

  it('ranks by the area outside a layer: pages, next and previous agree', async () => {
    const order = async (filter: Record<string, unknown>) =>
      (await call<PatchQueuePage>('patches.queue', { filter })).items.map((p) => p.id);
    // confidence × area: 3 (0.6 × 600), 1 (0.9 × 100), 2 (0.5 × 100)
    expect(await order({})).toEqual(['3', '1', '2']);
    // × area outside approved construction: 3 (360), 2 (50 × 0.5 = 25), 1 (90 × 0.1 = 9)
    const ranked = { referenceOverlap: { layerId: approved.id, rankOutside: true } };
    expect(await order(ranked)).toEqual(['3', '2', '1']);
    const walk: string[] = [];
    let at: string | undefined;
    for (;;) {
      const next = await call<{ id: string } | null>('patches.next', {
        filter: ranked,
        ...(at ? { afterPatchId: at } : {}),
      });
      if (!next) break;
      walk.push(next.id);
      at = next.id;
    }
    expect(walk).toEqual(['3', '2', '1']);
    const back = await call<{ id: string } | null>('patches.next', {
      filter: ranked,
      afterPatchId: '1',
      backward: true,
    });
    expect(back?.id).toBe('2');
  });
});

describe('overlaps in exports', () => {
  it('writes a reference_overlaps table into GeoPackages, joined by patch number', async () => {
    const out = join(dir, 'with-overlaps.gpkg');
    await exportProject(backend.projects.store(projectId), 'gpkg', out);
    const db = openSqlite(out, { readonly: true });
    const rows = db
      .prepare(
        'SELECT patch_number, layer, layer_kind, share FROM reference_overlaps ORDER BY patch_number',
      )
      .all() as { patch_number: number; layer: string; layer_kind: string; share: number }[];
    const listed = db
      .prepare("SELECT data_type FROM gpkg_contents WHERE table_name = 'reference_overlaps'")
      .get() as { data_type: string } | undefined;
    db.close();
    expect(listed?.data_type).toBe('attributes');
    expect(rows.map((r) => [r.patch_number, r.layer, r.layer_kind])).toEqual([
      [1, '批准用地', 'approved_construction'],
      [2, '批准用地', 'approved_construction'],
    ]);
    expect(rows[0].share).toBeCloseTo(0.9, 6);
    expect(rows[1].share).toBeCloseTo(0.5, 6);
  });
});

describe('overlaps follow the patches', () => {
  const by = 3_500_000 - 512;
  const created = (r: EditResult) => r.changed.filter((p) => !p.deleted).map((p) => p.id);

  it('recomputes when a patch is reshaped, and when undo restores it', async () => {
    await call<EditResult>('patches.setGeometry', {
      patchId: '3',
      geometry: { type: 'Polygon', coordinates: [rectRing(5, 0, 25, 10)] },
    });
    // 5..25 × 0..10 (200 m²) holds 5..15 × 0..10 of the plot, clear of its hole: 100 m².
    expect((await shares(approved.id))[3]).toBe(0.5);
    await call<EditResult>('history.undo');
    expect((await shares(approved.id))[3]).toBe(0);
  });

  it('gives split pieces, merged patches and drawn patches their own overlaps', async () => {
    const split = await call<EditResult>('patches.split', {
      patchId: '2',
      line: [
        [500_015, by - 1],
        [500_015, by + 11],
      ],
    });
    const pieces = created(split);
    expect(pieces).toHaveLength(2);
    expect(Object.values(await shares(approved.id, pieces)).sort()).toEqual([0, 1]);
    const merged = await call<EditResult>('patches.merge', { patchIds: ['1', ...pieces] });
    const [mergedId] = created(merged);
    // 0..20 × 0..10 (200 m²) holds the plot less its hole: 150 − 10 = 140 m².
    expect((await shares(approved.id, [mergedId]))[mergedId]).toBe(0.7);
    const drawn = await call<EditResult>('patches.create', {
      geometry: { type: 'Polygon', coordinates: [rectRing(0, 0, 15, 10)] },
    });
    const [drawnId] = created(drawn);
    const overlap = await call<ReferenceOverlapView[]>('reference.overlaps', { patchId: drawnId });
    expect(overlap[0].areaM2).toBeCloseTo(140, 6);
    expect(overlap[0].share).toBeCloseTo(140 / 150, 12);
  });
});

describe('refusals', () => {
  it('names the file whose CRS is unknown, and a missing file', async () => {
    const path = join(dir, 'no-crs.geojson');
    writeFileSync(
      path,
      JSON.stringify({
        type: 'FeatureCollection',
        crs: { type: 'name', properties: { name: 'LOCAL_CS["site grid"]' } },
        features: [],
      }),
    );
    await expect(call('reference.import', { kind: 'parcels', path })).rejects.toThrow(
      /no-crs\.geojson: its "crs" member names LOCAL_CS/,
    );
    await expect(
      call('reference.import', { kind: 'parcels', path: join(dir, 'gone.shp') }),
    ).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    await expect(call('reference.import', { kind: 'parcels' })).rejects.toThrow(/Type the path/);
  });

  it.each([
    ['reference.import', { kind: 'roads', path: '/x.shp' }, /"kind"/],
    ['reference.remove', { layerId: 'abc' }, /"layerId": must be a layer id/],
    ['patches.queue', { filter: { referenceOverlap: { layerId: '1', minShare: 2 } } }, /minShare/],
  ])('%s rejects %j', async (channel, payload, message) => {
    await expect(call(channel, payload)).rejects.toThrow(message);
  });

  it('says when a layer does not exist', async () => {
    await expect(call('reference.features', { layerId: '999' })).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    expect(await call('reference.remove', { layerId: '999' })).toEqual({ removed: false });
  });
});
