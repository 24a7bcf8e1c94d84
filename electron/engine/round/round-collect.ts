/**
 * Collecting a round: for every pair whose blocks are all written, assemble the blocks' cores into
 * the pair's probability raster (the same bytes a single-machine `detect` keeps) and vectorise it
 * with the same code `detect` uses, so polygons cross block borders whole, once, with `detect`'s
 * attributes. Works while the round runs: pairs with blocks still missing are reported and left out.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, extname, join } from 'node:path';
import { layerCrs, layerFromPolygons } from '../api/patch-layer.js';
import { exportLayer } from '../export/index.js';
import { openInputs } from '../inference/detect-inputs.js';
import { extractPolygons } from '../inference/reextract.js';
import { windowAxes } from '../inference/tile-rows.js';
import { RawProbability, rawToGeoTiff } from '../raster/probability-file.js';
import { ProjectStore } from '../store/project-store.js';
import type { ChangePolygon } from '../vector/polygonize.js';
import { blockGrid } from './block-plan.js';
import { blockPath } from './block-run.js';
import { pairDetectParams, type PairSpec, type RoundSpec } from './round-spec.js';

export interface CollectedPair {
  pair: string;
  /** Blocks written of all blocks. */
  blocks: [number, number];
  /** Polygons and the file written; absent while blocks are missing. */
  polygons?: ChangePolygon[];
  out?: string;
}

/** Where a pair's collected output goes: `out` itself for a one-pair round, else `out` + pair id. */
export function pairOutPath(out: string, spec: RoundSpec, pair: string): string {
  if (spec.pairs.length === 1) return out;
  const ext = extname(out);
  return join(
    out.slice(0, out.length - basename(out).length),
    `${basename(out, ext)}-${pair}${ext}`,
  );
}

/** Collects every finished pair into `out` (.landwatch project, or .gpkg/.geojson/.shp). */
export async function collectRound(
  spec: RoundSpec,
  out: string,
  overwrite: boolean,
): Promise<CollectedPair[]> {
  const done: CollectedPair[] = [];
  for (const pair of spec.pairs) {
    const total = pair.blockRows * pair.blockCols;
    let have = 0;
    for (let r = 0; r < pair.blockRows; r++)
      for (let c = 0; c < pair.blockCols; c++)
        if (existsSync(blockPath(spec, pair.id, r, c))) have++;
    if (have < total) {
      done.push({ pair: pair.id, blocks: [have, total] });
      continue;
    }
    const target = pairOutPath(out, spec, pair.id);
    const polygons = await collectPair(spec, pair, target, overwrite);
    done.push({ pair: pair.id, blocks: [have, total], polygons, out: target });
  }
  return done;
}

async function collectPair(
  spec: RoundSpec,
  pair: PairSpec,
  out: string,
  overwrite: boolean,
): Promise<ChangePolygon[]> {
  const inputs = await openInputs(pairDetectParams(spec, pair));
  try {
    const { card, alignment } = inputs;
    const { width, height } = alignment;
    const dir = join(spec.outDir, pair.id);
    mkdirSync(dir, { recursive: true });
    const rawPath = join(dir, `probability.${process.pid}.raw`);
    const fd = openSync(rawPath, 'w+');
    try {
      const axes = windowAxes(card, width, height);
      for (const block of blockGrid(axes, width, height, pair.perBlock)) {
        const bytes = readFileSync(blockPath(spec, pair.id, block.row, block.col));
        const { x, y, width: w, height: h } = block.core;
        for (let r = 0; r < h; r++) writeSync(fd, bytes, r * w, w, (y + r) * width + x);
      }
    } finally {
      closeSync(fd);
    }
    const raw = new RawProbability(rawPath, width, height, false);
    const probPath = join(dir, 'probability.tif');
    try {
      await rawToGeoTiff(raw, probPath, {
        geoTransform: inputs.windowTransform,
        geoKeys: inputs.geoKeys,
      });
    } finally {
      raw.dispose();
    }
    const { threshold, minArea } = spec.params;
    const extracted = await extractPolygons(probPath, threshold, minArea, {
      kindPath: null,
      scratchDir: dir,
    });
    const context = {
      runId: `round-${spec.name}-${pair.id}`,
      modelId: card.id,
      threshold,
      beforeDate: inputs.before.info.metadata.date,
      afterDate: inputs.after.info.metadata.date,
    };
    if (extname(out).toLowerCase() === '.landwatch') {
      if (overwrite) for (const s of ['', '-wal', '-shm']) rmSync(out + s, { force: true });
      const store = ProjectStore.create(
        out,
        `Round ${spec.name}, pair ${pair.id}`,
        inputs.before.info,
        inputs.after.info,
      );
      try {
        store.addRun(
          {
            id: context.runId,
            modelId: card.id,
            modelVersion: card.version,
            threshold,
            minArea,
            params: { round: spec.name, pair: pair.id, probabilityPath: probPath },
            executionProvider: 'round',
            startedAt: spec.createdAt,
            seconds: 0,
          },
          extracted.polygons,
        );
      } finally {
        store.close();
      }
    } else {
      const layer = layerFromPolygons(
        extracted.polygons,
        layerCrs(inputs.before.info.crs),
        context,
      );
      await exportLayer(out, layer, { overwrite });
    }
    return extracted.polygons;
  } finally {
    inputs.close();
  }
}
