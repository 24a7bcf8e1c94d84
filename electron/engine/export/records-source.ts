/**
 * Where an export or an evidence report reads a project's patches from: a small async source that
 * both backends provide — the SQLite project file ({@link sqliteRecordsSource}) and a team project
 * in PostgreSQL ({@link pgRecordsSource}, whose reads are SQL with outlines as GeoJSON rings at full
 * precision). Exports never copy a team project to SQLite to write it.
 */
import type { CodeLists, PatchView, RunView } from '../../common/contract.js';
import type { PgReviewStore } from '../store/pg/pg-review-store.js';
import type { ProjectStore, StoredScene } from '../store/project-store.js';

export interface PatchRecordsSource {
  name(): Promise<string>;
  scene(role: 'before' | 'after'): Promise<StoredScene>;
  runs(): Promise<RunView[]>;
  /** The live patches by number (not deleted, superseded or linked to a decided patch). */
  patches(): Promise<PatchView[]>;
  /** Review rows (id, patch_id, state, comment, reviewer, at), oldest first. */
  reviews(): Promise<Record<string, unknown>[]>;
  codeLists(): Promise<CodeLists>;
}

/** A project file as a records source (its reads are synchronous underneath). */
export function sqliteRecordsSource(store: ProjectStore): PatchRecordsSource {
  return {
    name: async () => store.name,
    scene: async (role) => store.scene(role),
    runs: async () => store.runs(),
    patches: async () => store.patches(),
    reviews: async () => store.reviews(),
    codeLists: async () => store.codeLists(),
  };
}

/** A team project as a records source. */
export function pgRecordsSource(store: PgReviewStore): PatchRecordsSource {
  return {
    name: () => store.name(),
    scene: (role) => store.scene(role),
    runs: () => store.runs(),
    patches: () => store.patches(),
    reviews: () => store.reviews(),
    codeLists: () => store.codeLists(),
  };
}
