/**
 * The review store over a project file: each call runs the synchronous {@link ProjectStore}
 * method and resolves with its result (errors reject), so behaviour is exactly the embedded one.
 */
import type {
  EditResult,
  PatchAttributes,
  PatchFilter,
  ProjectSettings,
  ReviewState,
} from '../../common/contract.js';
import type { NewDetection, NewRun, ProjectStore } from './project-store.js';
import type { ReviewStore } from './review-store.js';
import type { ReadVersions } from './versions.js';

export class SqliteReviewStore implements ReviewStore {
  readonly backend = 'sqlite' as const;

  /** @param store - the open project; closing this closes it */
  constructor(readonly store: ProjectStore) {}

  async name() {
    return this.store.name;
  }
  async addRun(run: NewRun, polygons: NewDetection[]) {
    return this.store.addRun(run, polygons);
  }
  async runs() {
    return this.store.runs();
  }
  async patch(id: number) {
    return this.store.patch(id);
  }
  async patches(runId?: string) {
    return this.store.patches(runId);
  }
  async queue(filter: PatchFilter, offset?: number, limit?: number) {
    return this.store.queue(filter, offset, limit);
  }
  async next(filter: PatchFilter, afterId?: number, backward?: boolean) {
    return this.store.next(filter, afterId, backward);
  }
  async summary() {
    return this.store.summary();
  }
  async review(
    id: number,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ) {
    return this.store.review(id, state, comment, actor, expect);
  }
  async reviewMany(
    target: number[] | PatchFilter,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult> {
    return this.store.reviewMany(target, state, comment, actor, expect);
  }
  async setAttributes(
    ids: number[],
    attributes: Partial<PatchAttributes>,
    actor: string,
    expect?: ReadVersions,
  ) {
    return this.store.setAttributes(ids, attributes, actor, expect);
  }
  async setGeometry(id: number, rings: number[][][], actor: string, expect?: ReadVersions) {
    return this.store.setGeometry(id, rings, actor, expect);
  }
  async split(id: number, line: number[][], actor: string, expect?: ReadVersions) {
    return this.store.split(id, line, actor, expect);
  }
  async merge(ids: number[], primaryId: number | undefined, actor: string, expect?: ReadVersions) {
    return this.store.merge(ids, primaryId, actor, expect);
  }
  async revertGeometry(id: number, actor: string, expect?: ReadVersions) {
    return this.store.revertGeometry(id, actor, expect);
  }
  async createPatch(
    rings: number[][][],
    state: ReviewState,
    comment: string | null,
    attributes: Partial<PatchAttributes>,
    actor: string,
  ) {
    return this.store.createPatch(rings, state, comment, attributes, actor);
  }
  async deletePatches(ids: number[], actor: string, expect?: ReadVersions) {
    return this.store.deletePatches(ids, actor, expect);
  }
  async undo(actor: string) {
    return this.store.undo(actor);
  }
  async redo(actor: string) {
    return this.store.redo(actor);
  }
  /** One analyst per project file: the stack is the project's, whoever asks. */
  async historyStatus() {
    return this.store.historyStatus();
  }
  async historyList(limit?: number) {
    return this.store.historyList(limit);
  }
  async patchHistory(id: number) {
    return this.store.patchHistory(id);
  }
  async codeLists() {
    return this.store.codeLists();
  }
  async settings() {
    return this.store.settings();
  }
  async setSettings(settings: ProjectSettings) {
    return this.store.setSettings(settings);
  }
  async close() {
    this.store.close();
  }
}
