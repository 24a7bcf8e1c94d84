/**
 * Reads what an export or an evidence report needs from a project (a file, or a team project
 * through a {@link PatchRecordsSource}), through public reads only: the patches (optionally some review states or patch numbers) as flat
 * {@link PatchRecord}s, the scenes' CRS and dates, and the review history of those patches.
 */
import type { CodeLists, PatchView, ReviewState, RunView } from '../../common/contract.js';
import type { ProjectStore, StoredScene } from '../store/project-store.js';
import type { PatchRecord } from './patch-attributes.js';
import type { PatchRecordsSource } from './records-source.js';
import type { LayerCrs } from './types.js';

/** Which patches to take; both filters apply together. Default: all of them. */
export interface PatchSelection {
  states?: readonly ReviewState[];
  /** Patch numbers as analysts see them. */
  numbers?: readonly number[];
}

/** A project's patches ready to export. */
export interface ProjectPatches {
  projectName: string;
  crs: LayerCrs;
  before: StoredScene;
  after: StoredScene;
  records: PatchRecord[];
  /** Review rows of the selected patches, oldest first, with the patch number added. */
  reviews: Record<string, unknown>[];
  /** The project's code lists, for labels (change class 01 = 新增建设用地, ...). */
  codeLists: CodeLists;
}

/** What a project holds that an export reads, however it was read. */
interface ProjectParts {
  name: string;
  before: StoredScene;
  after: StoredScene;
  runs: RunView[];
  patches: PatchView[];
  reviews: Record<string, unknown>[];
  codeLists: CodeLists;
}

/** The patches of a project file matching `selection`, with everything an export shows. */
export function readProjectPatches(
  store: ProjectStore,
  selection: PatchSelection = {},
): ProjectPatches {
  return projectPatchesOf(
    {
      name: store.name,
      before: store.scene('before'),
      after: store.scene('after'),
      runs: store.runs(),
      patches: store.patches(),
      reviews: store.reviews(),
      codeLists: store.codeLists(),
    },
    selection,
  );
}

/** {@link readProjectPatches} for any project, a team project included. */
export async function readPatchRecords(
  source: PatchRecordsSource,
  selection: PatchSelection = {},
): Promise<ProjectPatches> {
  const [name, before, after, runs, patches, reviews, codeLists] = await Promise.all([
    source.name(),
    source.scene('before'),
    source.scene('after'),
    source.runs(),
    source.patches(),
    source.reviews(),
    source.codeLists(),
  ]);
  return projectPatchesOf({ name, before, after, runs, patches, reviews, codeLists }, selection);
}

function projectPatchesOf(parts: ProjectParts, selection: PatchSelection): ProjectPatches {
  const { before, after } = parts;
  const runs = new Map(parts.runs.map((r) => [r.id, r]));
  const numbers = selection.numbers ? new Set(selection.numbers) : null;
  const all = parts.patches
    .filter((p) => !selection.states || selection.states.includes(p.state))
    .filter((p) => !numbers || numbers.has(p.number));
  // store.patches() already leaves out deleted, superseded and linked patches; this guards the
  // export against a store that one day returns them: they are not results.
  const live = all.filter((p) => !p.deleted && !(p.linkedTo && p.linkedTo.length > 0));
  const ids = new Map(live.map((p) => [String(p.id), p.number]));
  const reviews = parts.reviews
    .filter((r) => ids.has(String(r.patch_id)))
    .map((r): Record<string, unknown> => ({ ...r, patch_number: ids.get(String(r.patch_id)) }));
  // The latest review row of each patch says who decided and when.
  const latest = new Map<string, Record<string, unknown>>();
  for (const row of reviews) latest.set(String(row.patch_id), row);
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const records = live.map((p): PatchRecord => {
    const run = runs.get(p.runId);
    const review = latest.get(String(p.id));
    return {
      id: String(p.id),
      number: p.number,
      state: p.state,
      geometry: p.geometry,
      areaM2: p.areaM2,
      areaMu: p.areaMu,
      perimeterM: p.perimeterM,
      // A drawn patch has no model probability: the store gives none and exports say none.
      meanProb: p.meanProb,
      maxProb: p.maxProb,
      modelAreaM2: p.modelAreaM2 ?? null,
      source:
        p.origin === 'manual' ? 'drawn' : p.edited || p.origin !== 'model' ? 'edited' : 'model',
      changeClass: p.attributes?.changeClass ?? null,
      legality: p.attributes?.legality ?? null,
      fieldResult: p.attributes?.fieldResult ?? null,
      parcelNo: p.attributes?.parcelNo ?? null,
      note: p.attributes?.note ?? null,
      changeKind: p.attributes?.changeKind ?? null,
      comment: p.comment,
      reviewer: p.reviewer ?? text(review?.reviewer),
      reviewedAt: p.reviewedAt ?? text(review?.at),
      runId: p.runId,
      modelId: run?.modelId ?? null,
      threshold: run?.threshold ?? null,
      detectedAt: run?.startedAt ?? null,
      beforeDate: before.acquired,
      afterDate: after.acquired,
    };
  });
  return {
    projectName: parts.name,
    crs: { epsg: before.epsg, wkt: before.crsWkt, proj4: before.crsProj4 },
    before,
    after,
    records,
    reviews,
    codeLists: parts.codeLists,
  };
}
