/**
 * Builds LandWatch's demo pair from a real aerial photograph: `npx tsx scripts/make-demo.ts`.
 *
 * Source: `../shared/data/geotiff/vhr/ch-bw.tif` (grey aerial photograph in EPSG:2056 with a
 * rotated geotransform; see resources/demo/LICENSE-imagery.md for where it comes from and its
 * terms). The script
 * 1. resamples an 800 × 800 window at 0.5 m onto a north-up grid in the same CRS (bilinear) and
 *    stretches its contrast (1st/99th percentile): the before image;
 * 2. makes the after image from it with known changes, each pasted through a feathered mask with
 *    real content of the same photograph: new buildings (roofs of houses elsewhere in the scene),
 *    a demolished house (covered with the field next to it), a new road (the tone of the scene's
 *    roads with field grain) and earthwork (bare soil: brightened field with mottling);
 * 3. gives the two dates different radiometry (gain, offset, gamma, illumination gradient) and
 *    adds one interference region to each date by METHODS M4 step 3 (haze on the after date, a
 *    cloud shadow on the before date) — appearance differences that are not changes;
 * 4. writes both GeoTIFFs (one grey band, deflate; LandWatch repeats a grey band for its RGB
 *    model), the true changes as GeoJSON (EPSG:2056) and a metadata file with the source, the
 *    licence and every synthesis parameter, all under resources/demo/.
 * The outputs are committed; the app needs no shared data to open the demo.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fromFile } from 'geotiff';
import { createGeoTiffWriter } from '../electron/engine/raster/geotiff-write.js';
import { seededRandom } from '../electron/engine/random.js';
import {
  addInterference,
  featheredMask,
  fractalNoise,
  paste,
  radiometry,
  resampleNorthUp,
  shifted,
  stretch,
  toBytes,
  type Affine,
  type Grey,
} from './demo/synthesis.js';
import { DEMO_PAIR, type DemoChange } from './demo/plan.js';

const SOURCE = resolve('../shared/data/geotiff/vhr/ch-bw.tif');
const OUT = resolve('resources/demo');

async function main(): Promise<void> {
  const tiff = await fromFile(SOURCE).catch((error: unknown) => {
    throw new Error(
      `make-demo needs ${SOURCE} (the shared data folder next to the repository): ${String(error)}`,
    );
  });
  const image = await tiff.getImage();
  const m = (await image.fileDirectory.getValue('ModelTransformation')) as ArrayLike<number>;
  const srcT: Affine = [m[3], m[0], m[1], m[7], m[4], m[5]];
  const [band] = (await image.readRasters({ interleave: false })) as unknown as Uint8Array[];
  const { x0, y0, pixel, size } = DEMO_PAIR.grid;
  const base = stretch(
    resampleNorthUp(band, image.getWidth(), image.getHeight(), srcT, x0, y0, pixel, size),
  );
  if (base.px.some((v) => !Number.isFinite(v)))
    throw new Error('the demo window leaves the photograph: move DEMO_PAIR.grid');

  const random = seededRandom(DEMO_PAIR.seed);
  const after: Grey = { size, px: base.px.slice() };
  const grain = fractalNoise(size, random, 8, 3);
  for (const change of DEMO_PAIR.changes) applyChange(after, base, grain, change, random);

  const afterOut = radiometry(after, DEMO_PAIR.radiometry.after);
  const beforeOut = radiometry(base, DEMO_PAIR.radiometry.before);
  for (const item of DEMO_PAIR.interference) {
    const target = item.date === 'after' ? afterOut : beforeOut;
    addInterference(target, fractalNoise(size, random, 96, 4), item.region, item);
  }

  mkdirSync(OUT, { recursive: true });
  const gt = [x0, pixel, 0, y0, 0, -pixel] as const;
  for (const [name, img] of [
    [DEMO_PAIR.files.before, beforeOut],
    [DEMO_PAIR.files.after, afterOut],
  ] as const) {
    const writer = await createGeoTiffWriter(join(OUT, name), {
      width: size,
      height: size,
      bands: 1,
      sampleFormat: 'uint8',
      photometric: 'minisblack',
      geoTransform: gt,
      geoKeys: { epsg: DEMO_PAIR.epsg },
      overwrite: true,
    });
    await writer.writeRows(toBytes(img));
    await writer.close();
  }
  const toMap = ([c, r]: number[]) => [x0 + c * pixel, y0 - r * pixel];
  const features = DEMO_PAIR.changes.map((c, i) => ({
    type: 'Feature',
    properties: { id: i + 1, kind: c.kind, note: c.note },
    geometry: { type: 'Polygon', coordinates: [closeRing(c.polygon).map(toMap)] },
  }));
  writeFileSync(
    join(OUT, DEMO_PAIR.files.truth),
    `${JSON.stringify(
      {
        type: 'FeatureCollection',
        name: 'true_changes',
        crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${DEMO_PAIR.epsg}` } },
        features,
      },
      null,
      1,
    )}\n`,
  );
  writeFileSync(
    join(OUT, DEMO_PAIR.files.meta),
    `${JSON.stringify({ ...DEMO_PAIR, generatedBy: 'scripts/make-demo.ts' }, null, 1)}\n`,
  );
  process.stdout.write(
    `demo written to ${OUT}: ${DEMO_PAIR.changes.length} changes, ${DEMO_PAIR.interference.length} interference regions\n`,
  );
}

function applyChange(
  after: Grey,
  base: Grey,
  grain: Grey,
  change: DemoChange,
  random: () => number,
): void {
  const mask = featheredMask(after.size, change.polygon, change.feather);
  const n = after.size;
  const jitter = () => (random() - 0.5) * 6;
  switch (change.source.type) {
    case 'copy':
      // Real content of the photograph: a roof moved here, or the neighbouring field over a house.
      paste(after, mask, shifted(base, change.source.dr, change.source.dc));
      return;
    case 'tone': {
      // A surface of one tone with grain and some of the ground's own texture: road or bare soil.
      const { tone, grainAmp, detail } = change.source;
      const mean = base.px.reduce((s, v) => s + v, 0) / base.px.length;
      paste(
        after,
        mask,
        (r, c) =>
          tone +
          detail * (base.px[r * n + c] - mean) +
          grainAmp * (grain.px[r * n + c] - 0.5) +
          jitter(),
      );
      return;
    }
  }
}

function closeRing(ring: number[][]): number[][] {
  const [first] = ring;
  const last = ring[ring.length - 1];
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
