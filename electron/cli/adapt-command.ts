/**
 * `landwatch adapt`: fit a county adapter on top of a change model, from labelled pairs
 * (`--pair before.tif,after.tif,labels.tif`) or from a project's review decisions (`--project`).
 * Progress on stderr; the new model's id and folder on stdout.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceSchema } from '../common/contract.js';
import {
  adaptModel,
  type AdaptPair,
  type AdaptProgress,
  type AdaptResult,
} from '../engine/adapt/adapt-model.js';
import { openLabelRaster } from '../engine/adapt/label-sources.js';
import { adaptProject } from '../engine/adapt/project-adapt.js';
import { LandWatchError } from '../engine/errors.js';

/** Usage lines for `landwatch --help`. */
export const ADAPT_USAGE = `  landwatch adapt  --pair <before.tif>,<after.tif>,<labels.tif>[,<reviewed.tif>] [--pair …]
                   --out <model folder> [--base <model id>] [--reviewed-mask <tif>]… [--id <id>]
                   [--name <text>] [--overwrite] [--device auto|cpu|…] [--quiet]
                                                       adapt a model to labelled pairs (0/255 labels
                                                       on the before grid); install it with models add
  landwatch adapt  --project <p.landwatch> [--base <model id>] [--out <model folder>]
                                                       adapt to a project's decisions and install it`;

function bad(message: string): LandWatchError {
  return new LandWatchError('E_BAD_REQUEST', `adapt: ${message}`);
}

function parsePairs(pairs: string[], masks: string[]): AdaptPair[] {
  if (masks.length > 0 && masks.length !== pairs.length) {
    throw bad(
      `give one --reviewed-mask per --pair (${pairs.length} pairs, ${masks.length} masks).`,
    );
  }
  return pairs.map((spec, i) => {
    const parts = spec.split(',').map((p) => p.trim());
    if (parts.length < 3 || parts.length > 4 || parts.some((p) => p === '')) {
      throw bad(
        `--pair "${spec}": give before.tif,after.tif,labels.tif (and optionally ,reviewed.tif).`,
      );
    }
    const [beforePath, afterPath, labelsPath] = parts.map((p) => resolve(p));
    const reviewed = parts[3] ? resolve(parts[3]) : masks[i] ? resolve(masks[i]) : undefined;
    return {
      beforePath,
      afterPath,
      labels: (before, signal) => openLabelRaster(labelsPath, before, reviewed, signal),
    };
  });
}

function progressPrinter(quiet: boolean): (p: AdaptProgress) => void {
  let last = '';
  return (p) => {
    if (quiet) return;
    const line = `adapt: ${p.message}`;
    if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(70)}`);
    else if (line !== last && (p.done === p.total || p.done % 10 === 0))
      process.stderr.write(`${line}\n`);
    last = line;
  };
}

export function adaptSummary(r: AdaptResult): string {
  const f = r.fit.heldBack;
  return [
    `adapted ${r.modelId} from ${r.base.id} ${r.base.version} in ${r.seconds.toFixed(1)} s -> ${r.dir}`,
    `  learnt from ${r.pairs} pair(s), ${r.tilesRun} tiles: ${r.pixels[1]} changed and ${r.pixels[0]} unchanged labelled pixels (samples kept: ${r.samples[1]} change, ${r.samples[0]} no change)`,
    `  held-back pixel F1: base ${f.base.f1.toFixed(3)}, calibrated ${f.calibrated.f1.toFixed(3)} (t=${f.calibrated.threshold.toFixed(2)}), adapted ${f.adapted.f1.toFixed(3)} (t=${f.adapted.threshold.toFixed(2)}); chosen: ${r.fit.chosen}`,
  ].join('\n');
}

export async function runAdaptCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pair: { type: 'string', multiple: true, default: [] },
      'reviewed-mask': { type: 'string', multiple: true, default: [] },
      project: { type: 'string' },
      base: { type: 'string' },
      out: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      overwrite: { type: 'boolean', default: false },
      device: { type: 'string', default: 'auto' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const device = deviceSchema.safeParse(values.device);
  if (!device.success)
    throw bad(`--device ${values.device}: use auto, cpu, webgpu, cuda, dml or coreml.`);
  if (values.id !== undefined && !/^[a-z0-9][a-z0-9._-]*$/i.test(values.id)) {
    throw bad(`--id ${values.id}: use letters, digits, dot, dash and underscore.`);
  }
  const common = {
    baseModelId: values.base,
    id: values.id,
    name: values.name,
    overwrite: values.overwrite,
    device: device.data,
    onProgress: progressPrinter(values.quiet),
    log: (line: string) => values.quiet || process.stderr.write(`${line}\n`),
  };
  let result: AdaptResult;
  if (values.project) {
    if (values.pair.length > 0) throw bad('give either --project or --pair, not both.');
    result = await adaptProject({
      ...common,
      projectPath: resolve(values.project),
      outDir: values.out,
    });
  } else {
    if (values.pair.length === 0)
      throw bad('give --pair before.tif,after.tif,labels.tif (or --project).');
    if (!values.out) throw bad('give --out <model folder> for the adapted model.');
    const pairs = parsePairs(values.pair, values['reviewed-mask']);
    result = await adaptModel({ ...common, pairs, outDir: values.out });
  }
  if (!values.quiet && process.stderr.isTTY) process.stderr.write('\n');
  process.stdout.write(`${adaptSummary(result)}\n`);
  return 0;
}
