/**
 * The review store: what the review and editing handlers need from a project, behind one async
 * interface with two backends —
 *
 * - `sqlite` ({@link SqliteReviewStore}): the single analyst's project file, embedded and
 *   synchronous underneath (better-sqlite3); behaviour exactly as {@link ProjectStore}'s.
 * - `postgres` (`pg/pg-review-store.ts`): a team project in PostgreSQL + PostGIS, geometry
 *   columns in the project's CRS with a GiST index, row locks per write, and undo per user.
 *
 * Every write may carry the versions its author read (`expect`); a patch changed since refuses the
 * write with a StaleWriteError (E_CONFLICT) naming who changed it and when. Every change writes
 * an audit row with its actor.
 */
import type { LeaseListView, LeaseView, WorkPackageView } from '../../common/lease-contract.js';
import type {
  CodeLists,
  EditResult,
  HistoryEntry,
  HistoryStatus,
  PatchAttributes,
  PatchAuditEntry,
  PatchFilter,
  PatchQueuePage,
  PatchSummary,
  PatchView,
  ProjectSettings,
  ReviewState,
  RunView,
} from '../../common/contract.js';
import type { NewDetection, NewRun } from './project-store.js';
import type { ReadVersions } from './versions.js';

export type StoreBackend = 'sqlite' | 'postgres';

/** A work package as `packages.create` asks for it: by ids, or by a polygon's rings (project CRS). */
export interface NewWorkPackage {
  name: string;
  assignee: string;
  patchIds?: number[];
  area?: number[][][];
}

/**
 * What only a team project has (lease-contract.ts): leases, work packages, second checks. The
 * writes of {@link ReviewStore} already obey its leases and the actor's role.
 */
export interface TeamOps {
  /** Takes or renews the actor's lease; someone else's comes back unchanged (`mine: false`). */
  takeLease(patchId: number, actor: string): Promise<LeaseView>;
  releaseLease(patchId: number, actor: string): Promise<boolean>;
  leases(actor: string): Promise<LeaseListView>;
  createPackage(
    actor: string,
    spec: NewWorkPackage,
  ): Promise<WorkPackageView & { skipped: number }>;
  packages(): Promise<WorkPackageView[]>;
  deletePackage(actor: string, packageId: number): Promise<boolean>;
  /** A supervisor's second check of the current decisions. */
  check(actor: string, patchIds: number[]): Promise<PatchView[]>;
}

export interface ReviewStore {
  readonly backend: StoreBackend;
  /** Team projects only (PostgreSQL); a project file has one analyst and none of this. */
  readonly team?: TeamOps;

  /** The project's name. */
  name(): Promise<string>;
  /** Stores a detection run and its patches in one transaction. */
  addRun(run: NewRun, polygons: NewDetection[]): Promise<RunView>;
  runs(): Promise<RunView[]>;

  /** One patch as stored, deleted ones included; E_NOT_FOUND when there is none. */
  patch(id: number): Promise<PatchView>;
  /** The live patches by number (with `runId`, that run's patches only). */
  patches(runId?: string): Promise<PatchView[]>;
  /** One page of the ranked review queue. */
  queue(filter: PatchFilter, offset?: number, limit?: number): Promise<PatchQueuePage>;
  /** The patch ranked after `afterId` (before it with `backward`), or null. */
  next(filter: PatchFilter, afterId?: number, backward?: boolean): Promise<PatchView | null>;
  summary(): Promise<PatchSummary>;

  /** Records a review decision and returns the patch. */
  review(
    id: number,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Promise<PatchView>;
  /** Reviews patches by ids, or every patch a filter matches, in one undoable step. */
  reviewMany(
    target: number[] | PatchFilter,
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult>;
  setAttributes(
    ids: number[],
    attributes: Partial<PatchAttributes>,
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult>;
  /** Replaces a patch's outline (valid, inside the scene); measured anew. */
  setGeometry(
    id: number,
    rings: number[][][],
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult>;
  /** Splits a patch along a polyline that crosses it; the pieces replace it. */
  split(id: number, line: number[][], actor: string, expect?: ReadVersions): Promise<EditResult>;
  /** Merges overlapping or edge-sharing patches into one (`primaryId`: whose decision it keeps). */
  merge(
    ids: number[],
    primaryId: number | undefined,
    actor: string,
    expect?: ReadVersions,
  ): Promise<EditResult>;
  /** Puts back the outline the model produced. */
  revertGeometry(id: number, actor: string, expect?: ReadVersions): Promise<EditResult>;
  /** A patch drawn by hand. */
  createPatch(
    rings: number[][][],
    state: ReviewState,
    comment: string | null,
    attributes: Partial<PatchAttributes>,
    actor: string,
  ): Promise<EditResult>;
  /** Soft-deletes patches (undo brings them back). */
  deletePatches(ids: number[], actor: string, expect?: ReadVersions): Promise<EditResult>;

  /**
   * Undoes the newest operation still done (SQLite: the project's newest; PostgreSQL: `actor`'s
   * newest, refused with E_CONFLICT when someone has changed those patches since).
   */
  undo(actor: string): Promise<EditResult>;
  redo(actor: string): Promise<EditResult>;
  /** What undo and redo would do next for `actor`. */
  historyStatus(actor: string): Promise<HistoryStatus>;
  /** The newest operations first, everyone's. */
  historyList(limit?: number): Promise<HistoryEntry[]>;
  /** Every audit row of a patch, oldest first, each with its actor. */
  patchHistory(id: number): Promise<PatchAuditEntry[]>;

  codeLists(): Promise<CodeLists>;
  settings(): Promise<ProjectSettings>;
  setSettings(settings: ProjectSettings): Promise<ProjectSettings>;

  close(): Promise<void>;
}
