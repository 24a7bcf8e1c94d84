/**
 * The reference-layers panel: the project's imported layers (approved construction, farmland
 * protection, parcels, plan zones) with a visibility toggle and a Remove button each, an Import
 * form (kind, optional name; over HTTP a typed path, in the desktop app a file dialog), a queue
 * filter on one layer (patches inside it, or entirely outside it), and the selected patch's
 * overlap with every layer.
 */
import type { LandWatchApi } from '../../../electron/common/contract.js';
import type {
  ReferenceKind,
  ReferenceLayerView,
  ReferenceOverlapFilter,
  ReferenceOverlapView,
} from '../../../electron/common/reference-contract.js';
import { formatArea, formatPercent } from '../format.js';
import type { ReferenceLayers } from '../map/reference-layer.js';
import { selectedPatch, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export const KIND_LABEL: Record<ReferenceKind, string> = {
  approved_construction: 'Approved construction',
  farmland_protection: 'Farmland protection',
  parcels: 'Parcels',
  plan_zones: 'Plan zones',
  other: 'Other',
};

export interface ReferencePanelOptions {
  api: LandWatchApi;
  map: ReferenceLayers;
  /** True over HTTP: no file dialog, the user types a path on the serving machine. */
  typedPaths(): boolean;
  /** The queue filter on a layer changed (null: no reference filter). */
  onFilter(filter: ReferenceOverlapFilter | null): void;
  onError(err: unknown, context: string): void;
}

export interface ReferencePanel {
  element: HTMLElement;
  /** Overlaps of the selected patch, for the attribute area. */
  overlaps: HTMLElement;
  update(state: AppState): void;
  /**
   * The filter now in force for `projectId` (applied to every queue load); null for another
   * project (layer ids are per project), e.g. while a newly opened project loads.
   */
  filter(projectId: string): ReferenceOverlapFilter | null;
}

type FilterChoice = 'all' | 'inside' | 'outside' | 'rank-outside';

export function createReferencePanel(options: ReferencePanelOptions): ReferencePanel {
  const { api, map } = options;
  let projectId: string | null = null;
  let layers: ReferenceLayerView[] = [];
  let filter: ReferenceOverlapFilter | null = null;
  let shownPatch: string | null = null;
  /** The outline the shown overlaps were computed for (reviews keep it; edits change it). */
  let shownOutline: string | null = null;

  const list = h('ul', { class: 'reference-list', 'data-testid': 'reference-list' });
  const kind = h(
    'select',
    { class: 'input input-sm', 'data-testid': 'reference-kind', 'aria-label': 'Layer kind' },
    ...(Object.keys(KIND_LABEL) as ReferenceKind[]).map((k) =>
      h('option', { value: k }, KIND_LABEL[k]),
    ),
  );
  const name = h('input', {
    class: 'input input-sm',
    placeholder: 'Name (optional)',
    'data-testid': 'reference-name',
  });
  const path = h('input', {
    class: 'input input-sm',
    placeholder: 'Path of a .shp, .geojson or .gpkg on this machine',
    'data-testid': 'reference-path',
  });
  const importButton = h(
    'button',
    { class: 'btn btn-sm', type: 'button', 'data-testid': 'reference-import' },
    'Import layer…',
  );
  const status = h('p', { class: 'muted', 'data-testid': 'reference-status' });
  const filterLayer = h('select', {
    class: 'input input-sm',
    'data-testid': 'reference-filter-layer',
    'aria-label': 'Layer',
  });
  const filterMode = h(
    'select',
    { class: 'input input-sm', 'data-testid': 'reference-filter-mode', 'aria-label': 'Filter' },
    h('option', { value: 'all' }, 'All patches'),
    h('option', { value: 'inside' }, 'Inside layer'),
    h('option', { value: 'outside' }, 'Entirely outside layer'),
    h('option', { value: 'rank-outside' }, 'All, most area outside layer first'),
  );
  const overlaps = h('div', { class: 'reference-overlaps', 'data-testid': 'reference-overlaps' });
  const element = h(
    'section',
    { class: 'panel reference-layers', 'data-testid': 'reference-panel' },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Reference layers')),
    list,
    h('div', { class: 'reference-import' }, kind, name, path, importButton),
    status,
    h('div', { class: 'reference-filter' }, h('span', {}, 'Queue:'), filterMode, filterLayer),
  );

  const setFilter = () => {
    const mode = filterMode.value as FilterChoice;
    const layerId = filterLayer.value;
    const next: ReferenceOverlapFilter | null =
      mode === 'all' || !layerId
        ? null
        : mode === 'inside'
          ? { layerId }
          : mode === 'outside'
            ? { layerId, maxShare: 0 }
            : { layerId, rankOutside: true };
    if (JSON.stringify(next) === JSON.stringify(filter)) return;
    filter = next;
    options.onFilter(filter);
  };
  filterMode.addEventListener('change', setFilter);
  filterLayer.addEventListener('change', setFilter);

  async function showOnMap(layer: ReferenceLayerView): Promise<void> {
    if (!projectId) return;
    const features = await api.invoke('reference.features', { projectId, layerId: layer.id });
    map.show(layer.id, layer.kind, features);
  }

  function renderList(): void {
    replaceChildren(
      list,
      ...layers.map((layer) => {
        const toggle = h('input', {
          type: 'checkbox',
          checked: true,
          'data-testid': 'reference-visible',
          'aria-label': `Show ${layer.name}`,
        });
        toggle.addEventListener('change', () => map.setVisible(layer.id, toggle.checked));
        const remove = h(
          'button',
          { class: 'btn btn-sm', type: 'button', title: `Remove ${layer.name}` },
          'Remove',
        );
        remove.addEventListener('click', () => void removeLayer(layer));
        return h(
          'li',
          { class: 'reference-item', 'data-testid': 'reference-item', 'data-layer-id': layer.id },
          h('label', {}, toggle, ` ${layer.name}`),
          h(
            'span',
            { class: 'muted', title: `${layer.sourceName}, ${layer.sourceCrs}` },
            ` ${KIND_LABEL[layer.kind]} · ${layer.featureCount} features`,
          ),
          remove,
        );
      }),
    );
    const chosen = filterLayer.value;
    replaceChildren(
      filterLayer,
      ...layers.map((l) => h('option', { value: l.id, selected: l.id === chosen }, l.name)),
    );
    element.classList.toggle('empty', layers.length === 0);
    setFilter();
  }

  async function reload(): Promise<void> {
    if (!projectId) return;
    const id = projectId;
    const listed = await api.invoke('reference.list', { projectId: id });
    if (id !== projectId) return;
    layers = listed;
    renderList();
    for (const layer of layers) if (!map.has(layer.id)) await showOnMap(layer);
  }

  async function removeLayer(layer: ReferenceLayerView): Promise<void> {
    if (!projectId) return;
    try {
      await api.invoke('reference.remove', { projectId, layerId: layer.id });
      map.remove(layer.id);
      await reload();
      shownPatch = null; // overlaps changed
    } catch (err) {
      options.onError(err, 'Removing a reference layer');
    }
  }

  importButton.addEventListener('click', async () => {
    if (!projectId) return;
    importButton.disabled = true;
    status.textContent = 'Importing…';
    try {
      const typed = path.value.trim();
      const layer = await api.invoke('reference.import', {
        projectId,
        kind: kind.value as ReferenceKind,
        ...(name.value.trim() ? { name: name.value.trim() } : {}),
        ...(typed ? { path: typed } : {}),
      });
      if (!layer) {
        status.textContent = 'Import cancelled.';
        return;
      }
      status.textContent = `${layer.name}: ${layer.featureCount} features from ${layer.sourceCrs}${layer.skipped ? `, ${layer.skipped} without a polygon skipped` : ''}.`;
      name.value = '';
      path.value = '';
      await reload();
      shownPatch = null;
    } catch (err) {
      status.textContent = '';
      options.onError(err, 'Importing a reference layer');
    } finally {
      importButton.disabled = false;
    }
  });

  async function showOverlaps(patchId: string | null): Promise<void> {
    if (!projectId || !patchId || layers.length === 0) return replaceChildren(overlaps);
    const list: ReferenceOverlapView[] = await api.invoke('reference.overlaps', {
      projectId,
      patchId,
    });
    if (patchId !== shownPatch) return;
    const byLayer = new Map(list.map((o) => [o.layerId, o]));
    replaceChildren(
      overlaps,
      h('h3', {}, 'Reference layers'),
      h(
        'ul',
        {},
        ...layers.map((layer) => {
          const o = byLayer.get(layer.id);
          return h(
            'li',
            { 'data-layer-id': layer.id },
            `${layer.name}: `,
            o ? `${formatPercent(o.share)} (${formatArea(o.areaM2)})` : 'outside',
          );
        }),
      ),
    );
  }

  return {
    element,
    overlaps,
    filter: (forProject) => (forProject === projectId ? filter : null),
    update(state) {
      const id = state.project?.id ?? null;
      path.hidden = !options.typedPaths();
      if (id !== projectId) {
        projectId = id;
        layers = [];
        map.clear();
        filterMode.value = 'all';
        filter = null; // the new project loaded without it: no second queue load
        renderList();
        reload().catch((err: unknown) => options.onError(err, 'Loading reference layers'));
      }
      // Overlaps change with the selection and with edits of the patches.
      const selected = selectedPatch(state);
      const outline = selected ? JSON.stringify(selected.geometry) : null;
      if (state.selectedId !== shownPatch || outline !== shownOutline) {
        shownPatch = state.selectedId;
        shownOutline = outline;
        showOverlaps(shownPatch).catch((err: unknown) => options.onError(err, 'Overlaps'));
      }
    },
  };
}
