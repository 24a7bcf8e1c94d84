/**
 * Adaptation from a project's decisions. Labels on the before grid:
 *  - inside areas the analyst marked reviewed (or the whole scene): no change, unless below;
 *  - undecided patches (unreviewed, field check) detected by the model: not labelled;
 *  - rejected patches: no change (wherever they are);
 *  - confirmed patches and patches a person drew (as corrected): change.
 * Everything else is not labelled. The adapted model is written into the user's models folder
 * (so it is installed) and recorded as the project's model, used by default for its next runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PatchView } from '../../common/views.js';
import { userModelsDir } from '../paths.js';
import { ProjectStore } from '../store/project-store.js';
import {
  reviewedAreas,
  setAdaptedModelId,
  type ReviewedArea,
} from '../store/project-adaptation.js';
import { adaptModel, type AdaptOptions, type AdaptResult } from './adapt-model.js';
import { CHANGE, IGNORE, NO_CHANGE, polygonLabels, type LabelPolygon } from './label-sources.js';

export interface ProjectAdaptOptions extends Omit<AdaptOptions, 'pairs' | 'outDir' | 'project'> {
  projectPath: string;
  /** Default: the user's models folder, under the new model's id (installed at once). */
  outDir?: string;
}

/** How many decisions a project holds, per kind of label (what the UI summarises). */
export interface DecisionCounts {
  change: number;
  noChange: number;
  ignored: number;
  reviewedAreas: number;
  wholeSceneReviewed: boolean;
}

/** The label of a patch for adaptation (CHANGE, NO_CHANGE or IGNORE). */
export function patchLabel(p: PatchView): number {
  if (p.state === 'rejected') return NO_CHANGE;
  if (p.state === 'confirmed' || p.origin === 'manual') return CHANGE;
  return IGNORE;
}

/** Labelled polygons in burn order, and the background label. */
export function decisionPolygons(
  patches: PatchView[],
  areas: ReviewedArea[],
): { polygons: LabelPolygon[]; background: number; counts: DecisionCounts } {
  const whole = areas.some((a) => a.rings === null);
  const polygons: LabelPolygon[] = [];
  for (const a of areas) if (a.rings) polygons.push({ rings: a.rings, label: NO_CHANGE });
  const counts: DecisionCounts = {
    change: 0,
    noChange: 0,
    ignored: 0,
    reviewedAreas: areas.length,
    wholeSceneReviewed: whole,
  };
  const byLabel = [IGNORE, NO_CHANGE, CHANGE];
  for (const label of byLabel) {
    for (const p of patches) {
      if (patchLabel(p) !== label || p.deleted) continue;
      const g = p.geometry;
      const parts =
        g.type === 'MultiPolygon'
          ? (g.coordinates as number[][][][])
          : [g.coordinates as number[][][]];
      for (const rings of parts) polygons.push({ rings, label });
      if (label === CHANGE) counts.change++;
      else if (label === NO_CHANGE) counts.noChange++;
      else counts.ignored++;
    }
  }
  return { polygons, background: whole ? NO_CHANGE : IGNORE, counts };
}

/** Decision counts of an open project, for the UI's summary before adapting. */
export function projectDecisionCounts(store: ProjectStore): DecisionCounts {
  return decisionPolygons(store.patches(), reviewedAreas(store.db)).counts;
}

/**
 * Everything an adaptation from a project's decisions needs, read from an open store: plain data,
 * so it can be handed to a worker thread.
 */
export interface DecisionInput {
  projectPath: string;
  name: string;
  beforePath: string;
  afterPath: string;
  polygons: LabelPolygon[];
  background: number;
  counts: DecisionCounts;
}

export function decisionInput(store: ProjectStore): DecisionInput {
  const labels = decisionPolygons(store.patches(), reviewedAreas(store.db));
  return {
    projectPath: store.path,
    name: store.name,
    beforePath: store.scene('before').path,
    afterPath: store.scene('after').path,
    polygons: labels.polygons,
    background: labels.background,
    counts: labels.counts,
  };
}

/** The id an adapted model of a project gets by default: its name and the minute. */
export function adaptedId(name: string, at = new Date()): string {
  return `adapted-${slugName(name)}-${at.toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
}

/**
 * Adapts the base model to decisions read by {@link decisionInput}; writes the model into the
 * user's models folder unless `outDir` says otherwise. Does not touch the project.
 */
export async function adaptFromDecisions(
  input: DecisionInput,
  options: Omit<ProjectAdaptOptions, 'projectPath'>,
): Promise<AdaptResult> {
  const { outDir, ...rest } = options;
  const id = options.id ?? adaptedId(input.name);
  // The user's models folder is made on first use.
  if (outDir === undefined) mkdirSync(userModelsDir(), { recursive: true });
  return adaptModel({
    ...rest,
    id,
    pairs: [
      {
        beforePath: input.beforePath,
        afterPath: input.afterPath,
        labels: async (info) =>
          polygonLabels(`decisions of ${input.name}`, input.polygons, input.background, info),
      },
    ],
    outDir: outDir ?? join(userModelsDir(), id),
    project: { path: input.projectPath, name: input.name },
  });
}

/** Adapts the base model to the project's decisions and makes it the project's model. */
export async function adaptProject(options: ProjectAdaptOptions): Promise<AdaptResult> {
  const store = ProjectStore.open(options.projectPath);
  let input: DecisionInput;
  try {
    input = decisionInput(store);
  } finally {
    store.close();
  }
  const { projectPath: _path, ...rest } = options;
  const result = await adaptFromDecisions(input, rest);
  const reopened = ProjectStore.open(options.projectPath);
  try {
    setAdaptedModelId(reopened.db, result.modelId);
  } finally {
    reopened.close();
  }
  return result;
}

function slugName(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 32) || 'project'
  );
}
