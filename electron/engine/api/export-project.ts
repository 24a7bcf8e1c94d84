/**
 * Exports a project's patches (optionally only some review states) to GeoPackage, GeoJSON or a
 * Shapefile; the GeoPackage also carries the review history as a second table.
 */
import { basename } from 'node:path';
import type { ExportFormat, ReviewState } from '../../common/contract.js';
import { exportLayer } from '../export/index.js';
import type { ProjectStore } from '../store/project-store.js';
import { layerFromPatches } from './patch-layer.js';

export async function exportProject(
  store: ProjectStore,
  format: ExportFormat,
  path: string,
  states?: ReviewState[],
): Promise<{ path: string; fileName: string; features: number }> {
  const before = store.scene('before');
  const after = store.scene('after');
  const patches = store.patches().filter((p) => !states || states.includes(p.state));
  const runs = new Map(
    store.runs().map((r) => [r.id, { modelId: r.modelId, threshold: r.threshold }]),
  );
  const layer = layerFromPatches(
    patches,
    { epsg: before.epsg, wkt: before.crsWkt, proj4: before.crsProj4 },
    runs,
    { before: before.acquired, after: after.acquired },
  );
  await exportLayer(path, layer, { format, reviews: store.reviews() });
  return { path, fileName: basename(path), features: layer.features.length };
}
