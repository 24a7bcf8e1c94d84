/**
 * `landwatch detect`: two GeoTIFFs in, change polygons (GeoPackage, GeoJSON or Shapefile) and an
 * optional 0/255 mask on the before grid out. Progress on stderr, a one-line summary on stdout.
 * The outputs are checked before any work and written all or nothing (output-paths.ts).
 */
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceSchema } from '../common/contract.js';
import { layerCrs, layerFromPolygons } from '../engine/api/patch-layer.js';
import { LandWatchError } from '../engine/errors.js';
import { exportLayer } from '../engine/export/index.js';
import { checkOutputPaths, writeAllOrNothing } from '../engine/export/output-paths.js';
import { detectChanges, type DetectProgress } from '../engine/inference/detect.js';
import { writeMask } from '../engine/raster/mask-output.js';
import { M2_PER_MU } from '../engine/vector/geo.js';

const VECTOR_EXTS = ['.gpkg', '.geojson', '.json', '.shp'];

export async function runDetectCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      out: { type: 'string' },
      mask: { type: 'string' },
      threshold: { type: 'string' },
      'min-area': { type: 'string' },
      model: { type: 'string' },
      device: { type: 'string', default: 'auto' },
      bands: { type: 'string' },
      stretch: { type: 'string', default: 'auto' },
      radiometry: { type: 'string', default: 'match' },
      overwrite: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      stats: { type: 'boolean', default: false },
      'work-dir': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'full-sweep': { type: 'boolean', default: false },
      screening: { type: 'boolean', default: false },
      declutter: { type: 'string' },
    },
    strict: true,
  });
  const before = required(values.before, '--before');
  const after = required(values.after, '--after');
  const out = resolve(required(values.out, '--out'));
  if (!VECTOR_EXTS.includes(extname(out).toLowerCase())) {
    throw bad(`--out ${values.out}: use a .gpkg, .geojson or .shp file name.`);
  }
  const mask = values.mask ? resolve(values.mask) : undefined;
  if (mask && !/\.tiff?$/i.test(mask)) throw bad(`--mask ${values.mask}: use a .tif file name.`);
  checkOutputPaths(
    [{ flag: '--out', path: out }, ...(mask ? [{ flag: '--mask', path: mask }] : [])],
    values.overwrite,
  );
  const threshold =
    values.threshold === undefined
      ? undefined
      : number(values.threshold, '--threshold', 0, 1, false);
  const minArea =
    values['min-area'] === undefined ? 0 : number(values['min-area'], '--min-area', 0, 1e12, true);
  const device = deviceSchema.safeParse(values.device);
  if (!device.success)
    throw bad(`--device ${values.device}: choose auto, cpu, webgpu, cuda, dml or coreml.`);
  const stretch = values.stretch;
  if (stretch !== 'auto' && stretch !== 'none' && stretch !== 'percentile') {
    throw bad(`--stretch ${stretch}: choose auto, none or percentile.`);
  }
  if (values.radiometry !== 'match' && values.radiometry !== 'none') {
    throw bad(`--radiometry ${values.radiometry}: choose match or none.`);
  }
  if (values['full-sweep'] && values.screening) {
    throw bad('--full-sweep and --screening contradict each other; pass one.');
  }
  const declutter = declutterOption(values.declutter);
  const bands = values.bands?.split(',').map((b) => Number(b.trim()));
  if (bands?.some((b) => !Number.isInteger(b) || b < 1))
    throw bad(`--bands ${values.bands}: give 1-based band numbers like 3,2,1.`);

  const progress = progressPrinter(values.quiet);
  const t0 = performance.now();
  const result = await detectChanges(
    {
      beforePath: before,
      afterPath: after,
      modelId: values.model,
      threshold,
      minArea,
      device: device.data,
      bands,
      stretch,
      matchRadiometry: values.radiometry === 'match',
      workDir: values['work-dir'] ? resolve(values['work-dir']) : undefined,
      resume: !values.fresh,
      // Default (neither flag): screening on for overlaps above 4 MP.
      screening: values['full-sweep'] ? false : values.screening ? true : undefined,
      declutter,
    },
    { onProgress: progress, log: (line) => values.quiet || process.stderr.write(`${line}\n`) },
  );
  progress(null);
  for (const note of result.notes) if (!values.quiet) process.stderr.write(`note: ${note}\n`);

  const opts = { overwrite: values.overwrite };
  const layer = layerFromPolygons(result.polygons, layerCrs(result.before.crs), {
    runId: `cli-${new Date().toISOString()}`,
    modelId: result.model.id,
    threshold: result.threshold,
    beforeDate: result.before.metadata.date,
    afterDate: result.after.metadata.date,
  });
  // Both or neither: a mask that cannot be written takes the polygons written before it along.
  await writeAllOrNothing([
    { path: out, write: async () => (await exportLayer(out, layer, opts)).files },
    ...(mask
      ? [{ path: mask, write: async () => (await writeMask(mask, result, opts), [mask]) }]
      : []),
  ]);

  const area = result.polygons.reduce((s, p) => s + p.areaM2, 0);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `landwatch: ${result.polygons.length} change${result.polygons.length === 1 ? '' : 's'}, ` +
      `${(area / 10000).toFixed(2)} ha (${(area / M2_PER_MU).toFixed(1)} mu), model ${result.model.id} ` +
      `on ${result.executionProvider}, ${seconds.toFixed(1)} s → ${out}${mask ? ` + ${mask}` : ''}\n`,
  );
  if (values.stats) {
    const rss = process.resourceUsage().maxRSS / 1024;
    const s = result.seconds;
    const stats = {
      wallSeconds: +seconds.toFixed(2),
      peakRssMB: +rss.toFixed(1),
      openSeconds: +s.open.toFixed(2),
      inferSeconds: +s.infer.toFixed(2),
      vectoriseSeconds: +s.vectorise.toFixed(2),
      pixels: result.alignment.width * result.alignment.height,
      executionProvider: result.executionProvider,
      polygons: result.polygons.length,
      tiles: result.tiles ?? null,
      screening: result.screening ?? null,
      phases: result.phases ?? null,
      probabilityPath: result.probabilityPath ?? null,
      maskPath: result.maskPath ?? null,
    };
    process.stderr.write(`stats: ${JSON.stringify(stats)}\n`);
  }
  return 0;
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw bad(`${flag} is required.`);
  return value;
}

function number(text: string, flag: string, min: number, max: number, inclusive: boolean): number {
  const v = Number(text);
  const ok = Number.isFinite(v) && (inclusive ? v >= min && v <= max : v > min && v < max);
  if (!ok)
    throw bad(
      `${flag} ${text}: expected a number ${inclusive ? 'from' : 'between'} ${min} ${inclusive ? 'to' : 'and'} ${max}.`,
    );
  return v;
}

function bad(message: string): LandWatchError {
  return new LandWatchError('E_BAD_REQUEST', message);
}

/** Prints progress on stderr: a redrawn bar on a terminal, a line per 10 % otherwise. */
function progressPrinter(quiet: boolean): (p: DetectProgress | null) => void {
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return (p) => {
    if (quiet) return;
    if (p === null) {
      if (tty) process.stderr.write('\n');
      return;
    }
    if (p.phase !== 'infer') return;
    const pct = Math.floor((100 * p.done) / Math.max(1, p.total));
    const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)} s`;
    if (tty) {
      const bar = '#'.repeat(Math.floor(pct / 5)).padEnd(20, '.');
      process.stderr.write(
        `\r[${bar}] ${pct}% tiles ${p.done}/${p.total} on ${p.executionProvider}${eta}   `,
      );
    } else if (Math.floor(pct / 10) > lastDecile) {
      lastDecile = Math.floor(pct / 10);
      process.stderr.write(
        `progress: ${pct}% (${p.done}/${p.total} tiles on ${p.executionProvider})${eta}\n`,
      );
    }
  };
}

/** `--declutter before|after|both`: which dates get haze/shadow clean-up. */
function declutterOption(value: string | undefined) {
  if (value === undefined) return undefined;
  if (value !== 'before' && value !== 'after' && value !== 'both') {
    throw bad(`--declutter ${value}: choose before, after or both.`);
  }
  return { before: value !== 'after', after: value !== 'before' };
}
