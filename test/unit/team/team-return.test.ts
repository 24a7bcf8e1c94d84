/**
 * A work package taken offline and returned: checkout copies the chosen patches with the versions
 * read; offline reviews, attributes, outlines, splits and drawn patches go back with their
 * analyst; a patch changed on the server meanwhile is listed as a conflict and kept; returning
 * the same file twice applies nothing twice.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { readCheckoutArea } from '../../../electron/engine/team/checkout-area.js';
import { readCheckoutRecord } from '../../../electron/engine/team/checkout-record.js';
import { checkoutPatches } from '../../../electron/engine/team/team-checkout.js';
import { pushProject } from '../../../electron/engine/team/team-push.js';
import { returnCheckout } from '../../../electron/engine/team/team-return.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { SIZE_M, X0, Y0, rectRing } from '../store/fixtures.js';
import { richProject } from './move-fixture.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
const url = 'skip' in cluster ? '' : await cluster.createDatabase();
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

describe.skipIf(skip !== null)(`checkout and return${skip ? ` (${skip})` : ''}`, () => {
  let source: { store: ProjectStore; path: string; dir: string };
  let team: PgReviewStore;
  const target = { url, schema: 'work' };
  const file = (name: string) => join(source.dir, name);
  beforeAll(async () => {
    source = richProject();
    source.store.close();
    await pushProject(source.path, target);
    team = await PgReviewStore.open(target);
  });
  afterAll(async () => {
    await team?.close();
    if (source) rmSync(source.dir, { recursive: true, force: true });
  });

  it('checks out patches by number with the versions read and where they came from', async () => {
    await team.review(10, 'field_check', null, 'erin'); // version 2 on the server
    const r = await checkoutPatches(
      { url: url.replace('landwatch@', 'landwatch:pw@'), schema: 'work' },
      { numbers: [10, 11, 12, 13, 17] },
      file('pkg.landwatch'),
    );
    expect(r.patches).toBe(5);
    const local = ProjectStore.open(file('pkg.landwatch'));
    try {
      const record = readCheckoutRecord(local);
      expect(record).toMatchObject({
        schema: 'work',
        patches: { 10: 2, 11: 1, 12: 1, 13: 1, 17: 1 },
      });
      expect(record.db).not.toMatch(/pw/);
      expect(local.patches().map((p) => [p.number, p.state])).toEqual([
        [10, 'field_check'],
        [11, 'unreviewed'],
        [12, 'unreviewed'],
        [13, 'unreviewed'],
        [17, 'unreviewed'],
      ]);
      expect(local.patch(13).geometry).toEqual((await team.patch(13)).geometry);
      expect(local.patch(13).parents).toEqual(['5']);
      expect(local.patchHistory(10).at(-1)?.actor).toBe('erin');
    } finally {
      local.close();
    }
  });

  it('returns offline reviews, attributes, outlines, splits and drawn patches; lists a conflict', async () => {
    const local = ProjectStore.open(file('pkg.landwatch'));
    local.review(10, 'confirmed', 'seen on site', 'carol');
    local.setAttributes([11], { changeClass: '02' }, 'carol');
    local.setGeometry(12, [rectRing(328.123456789, 0.3, 352.1, 14.7)], 'carol');
    local.split(
      13,
      [
        [X0 + 125, Y0 - SIZE_M - 1],
        [X0 + 125, Y0 - SIZE_M + 11],
      ],
      'carol',
    );
    local.createPatch([rectRing(200, 200, 230, 220)], 'confirmed', 'drawn offline', {}, 'carol');
    local.close();
    // Meanwhile on the server: dave rejects #11.
    await team.review(11, 'rejected', 'shadow', 'dave');
    const before = (await team.summary()).total;

    const r = await returnCheckout(file('pkg.landwatch'), { url });
    expect(r.conflicts).toEqual([
      {
        number: 11,
        changedBy: 'dave',
        changedAt: expect.any(String),
        wanted: '#11: change_class → 02',
      },
    ]);
    expect(r.applied.map((a) => a.actor)).toEqual(['carol', 'carol', 'carol', 'carol']);
    expect(r.unchanged).toBe(1); // #17
    expect(r.skipped).toEqual([]);

    expect(await team.patch(10)).toMatchObject({
      state: 'confirmed',
      comment: 'seen on site',
      reviewer: 'carol',
    });
    expect((await team.patch(11)).attributes?.changeClass).toBeNull();
    expect((await team.patch(11)).state).toBe('rejected');
    expect(await team.patch(12)).toMatchObject({ edited: true });
    expect((await team.patch(12)).areaM2).toBeCloseTo((352.1 - 328.123456789) * 14.4, 6);
    expect((await team.patch(13)).deleted).toBe(true);
    const made = (await team.patches()).filter((p) => p.number > 17);
    expect(made.map((p) => [p.origin, p.parents, p.areaM2])).toEqual([
      ['split', ['13'], 5 * 10],
      ['split', ['13'], 5 * 10],
      ['manual', [], 600],
    ]);
    expect(made[2]).toMatchObject({ state: 'confirmed', comment: 'drawn offline', meanProb: null });
    expect((await team.summary()).total).toBe(before - 1 + 3);
    expect((await team.patchHistory(10)).at(-1)).toMatchObject({
      actor: 'carol',
      action: 'return',
    });
    // carol can undo on the team side what came back in her name.
    expect((await team.historyStatus('carol')).undo).not.toBeNull();
  });

  it('applies nothing twice, and only newer offline work on a later return', async () => {
    const snapshot = JSON.stringify(await team.patches());
    const again = await returnCheckout(file('pkg.landwatch'), { url });
    expect(again.applied).toEqual([]);
    expect(again.conflicts.map((c) => c.number)).toEqual([11]);
    expect(JSON.stringify(await team.patches())).toBe(snapshot);

    const local = ProjectStore.open(file('pkg.landwatch'));
    local.review(17, 'rejected', 'cloud', 'carol');
    const drawn = local.patches().find((p) => p.origin === 'manual')!;
    local.setAttributes([Number(drawn.id)], { changeClass: '05' }, 'carol');
    local.close();
    const later = await returnCheckout(file('pkg.landwatch'), { url });
    expect(later.applied.map((a) => a.summary)).toEqual([
      '#17: state → rejected, comment → cloud',
      `#${drawn.number}: change_class → 05`,
    ]);
    expect((await team.patch(17)).state).toBe('rejected');
    // The drawn patch came back twice; its offline review row only once.
    const drawnOnTeam = (await team.patches()).find((p) => p.comment === 'drawn offline')!;
    const rows = (await team.reviews()).filter((r) => String(r.patch_id) === drawnOnTeam.id);
    expect(rows.map((r) => [r.state, r.reviewer])).toEqual([['confirmed', 'carol']]);
    expect(
      (await team.patches())
        .filter((p) => p.origin === 'manual')
        .map((p) => p.attributes?.changeClass),
    ).toEqual(['05', '05']);
  });

  it('returns an offline merge as one group, or keeps it whole when a part changed on the server', async () => {
    await checkoutPatches(target, { numbers: [18, 19] }, file('merge.landwatch'));
    await checkoutPatches(target, { numbers: [18, 19] }, file('merge2.landwatch'));
    for (const name of ['merge.landwatch', 'merge2.landwatch']) {
      const local = ProjectStore.open(file(name));
      local.merge([18, 19], undefined, 'frank');
      local.close();
    }
    const r = await returnCheckout(file('merge.landwatch'), { url });
    expect(r.applied).toHaveLength(1);
    expect(r.applied[0].numbers).toEqual([18, 19, 21]);
    expect(await team.patch(21)).toMatchObject({
      origin: 'merge',
      parents: ['18', '19'],
      areaM2: 100,
    });
    expect((await team.patch(18)).deleted).toBe(true);
    // The second package merged the same pieces: both changed on the server since, so nothing of it.
    const total = (await team.summary()).total;
    const r2 = await returnCheckout(file('merge2.landwatch'), { url });
    expect(r2.applied).toEqual([]);
    expect(r2.conflicts).toMatchObject([{ number: 18, changedBy: 'frank' }]);
    expect((await team.summary()).total).toBe(total);
  });

  it('checks out by area in the project CRS or in longitude/latitude', async () => {
    const area = file('area.geojson');
    writeFileSync(
      area,
      JSON.stringify({
        type: 'Feature',
        properties: {},
        geometry: { type: 'Polygon', coordinates: [rectRing(85, -5, 123, 20)] },
      }),
    );
    const r = await checkoutPatches(
      target,
      {
        area: (await import('../../../electron/engine/team/checkout-area.js')).readCheckoutArea(
          area,
        ),
      },
      file('area.landwatch'),
    );
    const local = ProjectStore.open(file('area.landwatch'));
    try {
      expect(
        local
          .patches()
          .map((p) => p.number)
          .sort((a, b) => a - b),
      ).toEqual([4, 21]);
      expect(r.patches).toBe(2);
    } finally {
      local.close();
    }
    // The same area in WGS 84 longitude/latitude (RFC 7946 GeoJSON) picks the same patches.
    const utm = proj4('+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs', 'EPSG:4326');
    const lonLat = rectRing(85, -5, 123, 20).map((p) => utm.forward(p));
    writeFileSync(area, JSON.stringify({ type: 'Polygon', coordinates: [lonLat] }));
    expect(readCheckoutArea(area).srid).toBe(4326);
    await checkoutPatches(target, { area: readCheckoutArea(area) }, file('lonlat.landwatch'));
    const again = ProjectStore.open(file('lonlat.landwatch'));
    try {
      expect(
        again
          .patches()
          .map((p) => p.number)
          .sort((a, b) => a - b),
      ).toEqual([4, 21]);
    } finally {
      again.close();
    }
  });

  it('gives one clear message for an unknown schema, a file that is not a checkout, or no database', async () => {
    await expect(
      checkoutPatches({ url, schema: 'nothing_here' }, { all: true }, file('x.landwatch')),
    ).rejects.toThrow(/schema "nothing_here" of .*: no team project there/);
    expect(existsSync(file('x.landwatch'))).toBe(false);
    await expect(returnCheckout(source.path, { url })).rejects.toThrow(
      /round\.landwatch: not a team checkout/,
    );
    await expect(
      checkoutPatches(
        { url: 'postgres://lw@127.0.0.1:1/none', schema: 'work' },
        { all: true },
        file('y.landwatch'),
      ),
    ).rejects.toThrow(/^Cannot reach the team database at 127\.0\.0\.1:1\/none \(ECONNREFUSED\)/);
    expect(existsSync(file('y.landwatch'))).toBe(false);
    await expect(checkoutPatches(target, { numbers: [999] }, file('z.landwatch'))).rejects.toThrow(
      /no current patch numbered #999 \(no such number, deleted, or superseded/,
    );
    expect(existsSync(file('z.landwatch'))).toBe(false);
  });
});
