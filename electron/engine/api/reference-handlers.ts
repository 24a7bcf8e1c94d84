/**
 * Handlers of the reference-layer channels over each open project's {@link ReferenceStore} (on the
 * project store's connection, see {@link referenceStoreOf}).
 *
 * Overlaps of patches that were added or reshaped since the last request are brought up to date
 * by {@link ReferenceLayers.refresh}, which the backend runs before every request that names a
 * project: the queue, its filters and the attribute form then never see stale shares, and no
 * editing path has to know about reference layers.
 */
import type { Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import type {
  ReferenceFeatureCollection,
  ReferenceKind,
  ReferenceLayerView,
} from '../../common/reference-contract.js';
import { LandWatchError } from '../errors.js';
import { typedLocalPath } from './typed-path.js';
import { readSceneLayer } from '../reference/read-layer.js';
import {
  referenceStoreOf,
  type ReferenceStore,
  type StoredLayer,
} from '../reference/reference-store.js';
import { resolveSceneCrs } from '../reference/reproject.js';
import type { ProjectStore } from '../store/project-store.js';

type ReferenceChannel = Extract<Channel, `reference.${string}`>;

export type ReferenceHandlers = {
  [C in ReferenceChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

/** Asks the user for a layer file (typed path over HTTP); resolves to a path or null. */
export type PickVectorFile = (typedPath: string | undefined) => Promise<string | null>;

/** Without a host dialog: the typed path, which must name an existing file. */
const typedPathOnly: PickVectorFile = async (typedPath) =>
  typedLocalPath(typedPath, 'file', 'Type the path of the layer file on this machine.');

function view(layer: StoredLayer): ReferenceLayerView {
  return { ...layer, id: String(layer.id), kind: layer.kind as ReferenceKind };
}

/** The reference layers of every open project. */
export class ReferenceLayers {
  private readonly pick: PickVectorFile;

  /**
   * @param project - the open project with that id (throws E_NOT_FOUND when it is not open)
   * @param pick - the host's file picker; default: the typed path
   */
  constructor(
    private readonly project: (projectId: string) => ProjectStore,
    pick: PickVectorFile | undefined,
  ) {
    this.pick = pick ?? typedPathOnly;
  }

  /** The reference store of an open project. */
  of(projectId: string): ReferenceStore {
    return referenceStoreOf(this.project(projectId));
  }

  /** Recomputes stale overlaps of `payload.projectId` when that project is open. */
  refresh(payload: unknown): void {
    const projectId = (payload as { projectId?: unknown } | null)?.projectId;
    if (typeof projectId !== 'string') return;
    let refs: ReferenceStore;
    try {
      refs = this.of(projectId);
    } catch {
      return; // not open: the handler itself will say so
    }
    refs.refresh();
  }

  handlers(): ReferenceHandlers {
    return {
      'reference.import': async (req) => {
        const path = await this.pick(req.path);
        if (path === null) return null;
        const store = this.project(req.projectId);
        const before = store.scene('before');
        const scene = resolveSceneCrs(
          { epsg: before.epsg, wkt: before.crsWkt, proj4: before.crsProj4 },
          store.name,
        );
        const layer = readSceneLayer(path, scene);
        const refs = this.of(req.projectId);
        refs.refresh(); // patches changed since the last request get their overlaps first
        const id = refs.addLayer(
          { ...layer, name: req.name ?? layer.name, kind: req.kind },
          layer.features,
        );
        return view(refs.layers().find((l) => l.id === id)!);
      },
      'reference.list': async (req) => this.of(req.projectId).layers().map(view),
      'reference.remove': async (req) => ({
        removed: this.of(req.projectId).removeLayer(Number(req.layerId)),
      }),
      'reference.features': async (req) => {
        const refs = this.of(req.projectId);
        const layerId = Number(req.layerId);
        if (!refs.layers().some((l) => l.id === layerId)) {
          throw new LandWatchError('E_NOT_FOUND', `Reference layer ${req.layerId} does not exist.`);
        }
        const features = refs.features(layerId, req.bbox);
        const collection: ReferenceFeatureCollection = {
          type: 'FeatureCollection',
          features: features.map((f) => ({
            type: 'Feature',
            id: f.id,
            properties: f.properties,
            geometry: { type: 'MultiPolygon', coordinates: f.polygons },
          })),
        };
        return collection;
      },
      'reference.shares': async (req) => {
        const refs = this.of(req.projectId);
        refs.refresh(); // patches changed since the last request get their overlaps first
        return Object.fromEntries(
          [...refs.sharesOf(Number(req.layerId))].map(([id, share]) => [String(id), share]),
        );
      },
      'reference.overlaps': async (req) => {
        const refs = this.of(req.projectId);
        const layers = new Map(refs.layers().map((l) => [l.id, l]));
        return refs.overlapsOf(Number(req.patchId)).flatMap((o) => {
          const layer = layers.get(o.layerId);
          return layer
            ? [
                {
                  layerId: String(o.layerId),
                  layerName: layer.name,
                  kind: layer.kind as ReferenceKind,
                  areaM2: o.areaM2,
                  share: o.share,
                },
              ]
            : [];
        });
      },
    };
  }
}
