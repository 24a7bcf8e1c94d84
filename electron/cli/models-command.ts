/**
 * `landwatch models`: list the installed change models with their measured figures, add a model
 * folder (card.json + ONNX, checked before it is copied) or remove a user-added model.
 */
import { parseArgs } from 'node:util';
import { LandWatchError } from '../engine/errors.js';
import { installModelFolder, removeUserModel } from '../engine/inference/model-install.js';
import { modelInfo, scanModels } from '../engine/inference/model-registry.js';

/** Usage lines for `landwatch --help`. */
export const MODELS_USAGE = `  landwatch models [list]                              installed models and their figures
  landwatch models add <folder> [--replace]            add a model folder (card.json + ONNX)
  landwatch models remove <id>                         remove a model added by the user`;

function figure(metrics: Record<string, number>, key: string): string {
  const v = metrics[key];
  return typeof v === 'number' ? v.toFixed(3) : '—';
}

export async function runModelsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { replace: { type: 'boolean', default: false } },
  });
  const [action = 'list', target, ...extra] = positionals;
  if (extra.length > 0) throw new LandWatchError('E_BAD_REQUEST', `unexpected "${extra[0]}".`);
  switch (action) {
    case 'list': {
      const scan = scanModels();
      const rows = scan.models.map((m) => {
        const info = modelInfo(m);
        return [
          info.id,
          info.version,
          info.experimental ? `${info.source}, experimental` : info.source,
          figure(info.metrics, 'validation.pixelF1'),
          figure(info.metrics, 'validation.objectRecall'),
          m.dir,
        ];
      });
      const head = ['id', 'version', 'source', 'val F1', 'obj recall', 'folder'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const row of [head, ...rows]) {
        process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
      }
      for (const problem of scan.problems) process.stderr.write(`landwatch: skipped: ${problem}\n`);
      return 0;
    }
    case 'add': {
      if (!target) throw new LandWatchError('E_BAD_REQUEST', 'models add: name a model folder.');
      const model = await installModelFolder(target, { replace: values.replace });
      process.stdout.write(`added ${model.card.id} ${model.card.version} -> ${model.dir}\n`);
      return 0;
    }
    case 'remove': {
      if (!target) throw new LandWatchError('E_BAD_REQUEST', 'models remove: name a model id.');
      if (!removeUserModel(target)) {
        throw new LandWatchError('E_BAD_REQUEST', `models remove: no user model "${target}".`);
      }
      process.stdout.write(`removed ${target}\n`);
      return 0;
    }
    default:
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `models: unknown action "${action}".\n${MODELS_USAGE}`,
      );
  }
}
