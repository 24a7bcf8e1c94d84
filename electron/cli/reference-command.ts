/**
 * `landwatch reference`: import, list and remove a project's reference layers (approved
 * construction, farmland protection, parcels, plan zones) from the command line. Import reads a
 * Shapefile, GeoJSON or GeoPackage, reprojects it onto the scene CRS and computes every patch's
 * overlap with it, exactly as the app does (the same handlers).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { referenceKindSchema } from '../common/reference-contract.js';
import { ReferenceLayers } from '../engine/api/reference-handlers.js';
import { LandWatchError } from '../engine/errors.js';
import { ProjectStore } from '../engine/store/project-store.js';

/** Usage lines for `landwatch --help`. */
export const REFERENCE_USAGE = `  landwatch reference import --project <file.landwatch> --file <layer.shp|.geojson|.gpkg>
                   --kind ${referenceKindSchema.options.join('|')} [--name <text>]
  landwatch reference list   --project <file.landwatch>
  landwatch reference remove --project <file.landwatch> --layer <id>`;

function bad(message: string): LandWatchError {
  return new LandWatchError('E_BAD_REQUEST', message);
}

/** Runs `landwatch reference <action> …`; resolves with the exit code. */
export async function runReferenceCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      file: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      layer: { type: 'string' },
    },
    strict: true,
  });
  if (!['import', 'list', 'remove'].includes(action ?? '')) {
    throw bad(`reference: choose import, list or remove.\n${REFERENCE_USAGE}`);
  }
  if (!values.project) throw bad('--project is required (a .landwatch project file).');
  const kind = referenceKindSchema.safeParse(values.kind);
  if (action === 'import') {
    if (!values.file) throw bad('--file is required (a .shp, .geojson or .gpkg layer).');
    if (!kind.success) {
      throw bad(`--kind ${values.kind ?? ''}: choose ${referenceKindSchema.options.join(', ')}.`);
    }
  }
  const store = ProjectStore.open(resolve(values.project));
  const layers = new ReferenceLayers(
    () => store,
    async () => (values.file ? resolve(values.file) : null),
  );
  const handlers = layers.handlers();
  const projectId = 'cli';
  try {
    if (action === 'import') {
      const t0 = performance.now();
      const layer = (await handlers['reference.import']({
        projectId,
        kind: kind.data!,
        ...(values.name ? { name: values.name } : {}),
      }))!;
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      const overlapping = layers.of(projectId).overlapCount(Number(layer.id));
      process.stdout.write(
        `landwatch: layer ${layer.id} "${layer.name}" (${layer.kind}), ${layer.featureCount} features from ${layer.sourceCrs}` +
          `${layer.skipped ? `, ${layer.skipped} skipped` : ''}; ${overlapping} patches overlap it, ${seconds} s\n`,
      );
      return 0;
    }
    if (action === 'remove') {
      if (!values.layer || !/^[1-9]\d*$/.test(values.layer)) {
        throw bad('--layer is required (a layer id from `landwatch reference list`).');
      }
      const { removed } = await handlers['reference.remove']({ projectId, layerId: values.layer });
      if (!removed) throw new LandWatchError('E_NOT_FOUND', `No reference layer ${values.layer}.`);
      process.stdout.write(`landwatch: removed layer ${values.layer}\n`);
      return 0;
    }
    for (const l of await handlers['reference.list']({ projectId })) {
      process.stdout.write(
        `${l.id}\t${l.kind}\t${l.featureCount}\t${l.sourceCrs}\t${l.name}\t${l.sourceName}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}
