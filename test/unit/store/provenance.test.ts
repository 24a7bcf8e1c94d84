/**
 * Provenance in the store: a patch drawn by hand carries no model probability (null in the view,
 * after every detection in the ranking, none in an export); merges take the model's figures from
 * the patches the model scored only; an edited patch keeps the model's probability and outline
 * apart from the person's; and project files made before migration 8 lose the fake 100 %.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatchView } from '../../../electron/common/contract.js';
import { exportProject } from '../../../electron/engine/api/export-project.js';
import { readProjectPatches } from '../../../electron/engine/export/project-records.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { gdalAvailable, makeTempDir, runGdal } from '../export/gdal-cli.js';
import { detection, newRun, rectRing, tempProject } from './fixtures.js';

let store: ProjectStore;
let path: string;
const ME = 'analyst-a';

beforeEach(() => {
  ({ store, path } = tempProject());
  store.addRun(newRun(), [
    detection(0, 0, 10, 10, 0.9), // 1
    detection(10, 0, 20, 10, 0.5), // 2, shares an edge with 1
    detection(100, 100, 120, 130, 0.2), // 3, small score
  ]);
});
afterEach(() => store.close());

const draw = (x0: number, y0: number, x1: number, y1: number): PatchView =>
  store.createPatch([rectRing(x0, y0, x1, y1)], 'unreviewed', null, {}, ME).changed[0];

describe('provenance of drawn patches', () => {
  it('has no model probability and ranks after every detection, however large', () => {
    const drawn = draw(200, 200, 400, 400); // 40,000 m²: with "1.0" it would rank first
    expect(drawn).toMatchObject({ origin: 'manual', meanProb: null, maxProb: null });
    const order = store.queue({}, 0, 10).items.map((p) => p.number);
    expect(order).toEqual([3, 1, 2, drawn.number]); // 0.2 × 600 m², 0.9 × 100, 0.5 × 100, none
    expect(store.queue({ minConfidence: 0.1 }, 0, 10).items.map((p) => p.number)).toEqual([
      3, 1, 2,
    ]);
  });

  it('exports no probability for a drawn patch and the model figures for an edited one', () => {
    const drawn = draw(200, 200, 210, 210);
    store.setGeometry(1, [rectRing(2, 2, 8, 8)], ME);
    const records = readProjectPatches(store).records;
    const byNumber = (n: number) => records.find((r) => r.number === n);
    expect(byNumber(drawn.number)).toMatchObject({
      meanProb: null,
      maxProb: null,
      source: 'drawn',
      modelAreaM2: null,
    });
    // The person's outline (36 m²) and the model's figures on its own outline (100 m²), apart.
    expect(byNumber(1)).toMatchObject({
      meanProb: 0.9,
      source: 'edited',
      areaM2: 36,
      modelAreaM2: 100,
    });
    expect(byNumber(2)).toMatchObject({ meanProb: 0.5, source: 'model', modelAreaM2: 100 });
  });

  it('merges: the model figures come from the scored patches; drawn-only merges have none', () => {
    const a = draw(20, 0, 30, 10); // shares an edge with detection 2
    const merged = store
      .merge([2, Number(a.id)], undefined, ME)
      .changed.find((p) => p.origin === 'merge') as PatchView;
    expect(merged.meanProb).toBeCloseTo(0.5, 12);
    expect(merged.areaM2).toBeCloseTo(200, 9);
    const b = draw(300, 300, 310, 310);
    const c = draw(310, 300, 320, 310);
    const both = store
      .merge([Number(b.id), Number(c.id)], undefined, ME)
      .changed.find((p) => p.origin === 'merge') as PatchView;
    expect(both).toMatchObject({ meanProb: null, maxProb: null });
    const pieces = store
      .split(
        Number(both.id),
        [rectRing(305, 290, 305, 320)[0], rectRing(305, 290, 305, 320)[2]],
        ME,
      )
      .changed.filter((p) => p.origin === 'split');
    expect(pieces.length).toBe(2);
    for (const p of pieces) expect(p.meanProb).toBeNull();
  });

  it('migration 8 turns the "1.0" of patches drawn before it into no probability', () => {
    const drawn = draw(200, 200, 210, 210);
    store.close();
    // What an older LandWatch wrote: mean/max 1 and no unscored column (schema v7).
    const db = new Database(path);
    db.exec(`UPDATE patches SET mean_prob = 1, max_prob = 1 WHERE origin = 'manual';
      ALTER TABLE patches DROP COLUMN unscored;`);
    db.pragma('user_version = 7');
    db.close();
    store = ProjectStore.open(path);
    expect(store.patch(Number(drawn.id))).toMatchObject({ meanProb: null, maxProb: null });
    expect(store.patch(1).meanProb).toBe(0.9);
    expect(store.queue({}, 0, 10).items.at(-1)?.id).toBe(drawn.id);
  });
});

describe.skipIf(!gdalAvailable)('provenance in exported files (read back with GDAL)', () => {
  // Shapefiles go out with the land-survey profile (10-character dBASE names): its confidence
  // field ZXD is empty for a drawn patch; GeoPackage and CSV carry the full names and `source`.
  it('GeoPackage, Shapefile and CSV: no probability and source "drawn" for a drawn patch', async () => {
    const drawn = draw(200, 200, 210, 210);
    store.setGeometry(1, [rectRing(2, 2, 8, 8)], ME);
    const { dir, cleanup } = makeTempDir('provenance');
    try {
      for (const [format, file, profile] of [
        ['gpkg', 'out.gpkg', 'landwatch'],
        ['csv', 'out.csv', 'landwatch'],
        ['shp', 'survey.shp', 'builtin'],
      ] as const) {
        await exportProject(store, format, join(dir, file), { profile });
        // (This GDAL warns that GeoPackage 1.4 is newer than it knows; the data reads fine.)
        const read = runGdal('ogrinfo', ['-ro', '-al', '-q', join(dir, file)]);
        expect(read.status, read.stderr).toBe(0);
        const text = read.stdout;
        // One block per feature; find the drawn one by its number.
        const blocks = text.split(/\n\s*OGRFeature/).slice(1);
        const numberField = profile === 'builtin' ? 'TBBH' : 'number';
        const probField = profile === 'builtin' ? 'ZXD' : 'mean_prob';
        const of = (n: number) =>
          blocks.find((b) => new RegExp(`${numberField} \\(\\w+\\) = ${n}\\b`).test(b)) ?? '';
        const value = (block: string, field: string) =>
          new RegExp(`\\b${field} \\(\\w+\\) = (.*)`).exec(block)?.[1]?.trim() ?? '(null)';
        const prob = value(of(drawn.number), probField);
        expect(prob === '(null)' || prob === '', `${file}: ${probField} of the drawn patch`).toBe(
          true,
        );
        expect(Number(value(of(1), probField)), `${file}: model patch`).toBeCloseTo(0.9, 4);
        if (profile === 'landwatch') {
          expect(value(of(drawn.number), 'source')).toBe('drawn');
          expect(value(of(1), 'source')).toBe('edited');
          expect(value(of(2), 'source')).toBe('model');
          expect(Number(value(of(1), 'model_area_m2'))).toBeCloseTo(100, 6);
          expect(Number(value(of(1), 'area_m2'))).toBeCloseTo(36, 6);
          expect(['(null)', ''].includes(value(of(drawn.number), 'model_area_m2'))).toBe(true);
        }
      }
    } finally {
      cleanup();
    }
  });
});
