/**
 * The patch codes of one open project: keeps them current (codes missing or stale are computed
 * before any answer), holds the in-memory {@link CodeIndex} for "find similar", and judges re-run
 * links by code and outline (close code + the same outline = duplicate). One instance per open project, made by
 * {@link projectCodes}; coding runs one at a time per project.
 */
import type Database from 'better-sqlite3';
import type { ReviewState } from '../../common/contract.js';
import type { SimilarResult } from '../../common/codes-contract.js';
import type { ProjectStore } from '../store/project-store.js';
import { CodeIndex } from './code-index.js';
import { findCodeModel, type CodeModel } from './code-model.js';
import { l1, unpackNibbles } from './code-packing.js';
import { PatchCodeTable } from './code-table.js';
import { codeStalePatches, type CodingOptions, type CodingResult } from './patch-coder.js';
import { LandWatchError } from '../errors.js';
import { intersectionOverUnion } from '../store/geometry/polygon-ops.js';
import { storedPolygons } from '../vector/geo.js';

/**
 * The least intersection over union at which a close-coded re-detection is the decided patch seen
 * again (the usual object-matching criterion). Below it the change grew, shrank or moved: it goes
 * back to the queue, where the carry-over hint offers the earlier decision (key P).
 */
export const DUPLICATE_IOU = 0.5;

/** What judging the links of re-runs did. */
export interface LinkReview {
  /** Links whose detection has a close code: duplicates, still hidden behind the decision. */
  duplicates: number;
  /**
   * Links dropped because the codes differ (a different change) or the outlines do (the same
   * kind of change, other extent, IoU < {@link DUPLICATE_IOU}): back in the queue.
   */
  released: number;
}

const instances = new WeakMap<ProjectStore, ProjectCodes>();

/** The {@link ProjectCodes} of an open project (made on first use with the installed model). */
export function projectCodes(store: ProjectStore, model?: CodeModel): ProjectCodes {
  let codes = instances.get(store);
  if (!codes || (model && codes.model.card.id !== model.card.id)) {
    codes = new ProjectCodes(store, model ?? findCodeModel());
    instances.set(store, codes);
  }
  return codes;
}

export class ProjectCodes {
  readonly table: PatchCodeTable;
  private index_: CodeIndex | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly stmts;

  constructor(
    readonly store: ProjectStore,
    readonly model: CodeModel,
  ) {
    const db: Database.Database = store.db;
    this.table = new PatchCodeTable(db);
    this.stmts = {
      rows: db.prepare(
        `SELECT id, state, deleted, superseded_by, linked FROM patches
         WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      openLinks: db.prepare(
        'SELECT detection_id, patch_id FROM patch_links WHERE code_distance IS NULL',
      ),
      setDistance: db.prepare(
        'UPDATE patch_links SET code_distance = ? WHERE detection_id = ? AND patch_id = ?',
      ),
      geometry: db.prepare('SELECT geometry FROM patches WHERE id = ?').pluck(),
      dropLink: db.prepare('DELETE FROM patch_links WHERE detection_id = ? AND patch_id = ?'),
      unflag: db.prepare(
        `UPDATE patches SET linked = 0 WHERE id = ?
           AND NOT EXISTS (SELECT 1 FROM patch_links WHERE detection_id = ?)`,
      ),
    };
  }

  /** The distance up to which two codes count as the same change seen again. */
  get duplicateDistance(): number {
    return this.model.card.code.duplicateDistance ?? this.model.card.code.closeDistance;
  }

  /**
   * Codes every patch without a current code, then judges re-run links whose codes are now known.
   * Calls queue behind each other, so the detect job's coding and a UI request never overlap.
   */
  ensure(options: CodingOptions = {}): Promise<CodingResult & { links: LinkReview }> {
    const next = this.running.then(async () => {
      const result = await codeStalePatches(this.store, this.model, options);
      if (this.index_) for (const { id, code } of result.codes) this.index_.set(id, code);
      return { ...result, links: this.reviewLinks() };
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  /** The index of every current code (built from the project file on first use). */
  index(): CodeIndex {
    if (!this.index_) {
      const rows = this.table.current(this.model.card.id);
      const index = new CodeIndex(this.model.card.code.length, Math.max(1024, rows.length));
      for (const r of rows) index.setPacked(r.id, r.code);
      this.index_ = index;
    }
    return this.index_;
  }

  /** The current code of a patch (one value a byte), or null when it has none yet. */
  codeOf(id: number): Uint8Array | null {
    const packed = this.table.code(id, this.model.card.id);
    return packed ? unpackNibbles(packed, this.model.card.code.length) : null;
  }

  /**
   * Live patches (not deleted, not superseded, not hidden as duplicates) ranked by code distance
   * to `patchId`, optionally only those in `states`.
   */
  async similar(patchId: number, limit: number, states?: ReviewState[]): Promise<SimilarResult> {
    const { coded } = await this.ensure();
    const query = this.codeOf(patchId);
    if (!query) {
      const p = this.store.patch(patchId);
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${p.number} is deleted: it has no code to compare.`,
      );
    }
    const index = this.index();
    const wanted = new Set(states ?? []);
    // The filters live in SQLite; ask the index for more than needed and widen until enough pass.
    let take = limit * 4 + 16;
    let items: SimilarResult['items'] = [];
    for (;;) {
      const hits = index.search(query, take, (id) => id !== patchId);
      const rows = this.stmts.rows.all(JSON.stringify(hits.map((h) => h.id))) as {
        id: number;
        state: ReviewState;
        deleted: number;
        superseded_by: string | null;
        linked: number;
      }[];
      const ok = new Set(
        rows
          .filter((r) => r.deleted === 0 && r.superseded_by === null && r.linked === 0)
          .filter((r) => wanted.size === 0 || wanted.has(r.state))
          .map((r) => r.id),
      );
      items = hits
        .filter((h) => ok.has(h.id))
        .slice(0, limit)
        .map((h) => ({ patch: this.store.patch(h.id), distance: h.distance }));
      if (items.length >= limit || hits.length < take) break;
      take *= 4;
    }
    return {
      modelId: this.model.card.id,
      code: [...query],
      closeDistance: this.model.card.code.closeDistance,
      items,
      coded,
    };
  }

  /**
   * Judges re-run links whose two patches now have codes: a close code (at most the card's
   * duplicate distance) on the same outline (IoU ≥ {@link DUPLICATE_IOU}) confirms a duplicate,
   * which stays hidden behind the decision. Otherwise the detection goes back to the queue: a
   * different change at a decided place, or (close code, other outline) the same kind of change
   * whose extent moved on, which the carry-over hint offers to decide as before (key P). Without
   * the outline test a close code always meant "duplicate" and the hint could never offer P.
   */
  private reviewLinks(): LinkReview {
    const out: LinkReview = { duplicates: 0, released: 0 };
    const links = this.stmts.openLinks.all() as { detection_id: number; patch_id: number }[];
    if (links.length === 0) return out;
    this.store.db
      .transaction(() => {
        for (const l of links) {
          const a = this.codeOf(l.detection_id);
          const b = this.codeOf(l.patch_id);
          if (!a || !b) continue;
          const d = l1(a, b);
          if (d <= this.duplicateDistance && this.sameOutline(l.detection_id, l.patch_id)) {
            this.stmts.setDistance.run(d, l.detection_id, l.patch_id);
            out.duplicates++;
          } else {
            this.stmts.dropLink.run(l.detection_id, l.patch_id);
            this.stmts.unflag.run(l.detection_id, l.detection_id);
            out.released++;
          }
        }
      })
      .immediate();
    return out;
  }

  private sameOutline(a: number, b: number): boolean {
    const shape = (id: number) => storedPolygons(this.stmts.geometry.get(id) as string);
    return intersectionOverUnion(shape(a), shape(b)) >= DUPLICATE_IOU;
  }
}

/** Progress of coding after a detection run, for the job's progress events. */
export type CodingProgress = (done: number, total: number) => void;

/**
 * The post-step of a detection run: codes the run's new patches and judges its links. Never fails
 * the run, which is already stored: without an installed patch-code model it says so in `log`,
 * and cancelling leaves the remaining codes to be computed when they are first needed.
 */
export async function codeAfterRun(
  store: ProjectStore,
  hooks: { signal?: AbortSignal; onProgress?: CodingProgress; log?: (line: string) => void } = {},
): Promise<(CodingResult & { links: LinkReview }) | null> {
  let codes: ProjectCodes;
  try {
    codes = projectCodes(store);
  } catch (error) {
    hooks.log?.(`patch codes skipped: ${(error as Error).message}`);
    return null;
  }
  try {
    return await codes.ensure({ signal: hooks.signal, onProgress: hooks.onProgress });
  } catch (error) {
    if (hooks.signal?.aborted) return null;
    hooks.log?.(`patch codes failed: ${(error as Error).message}`);
    return null;
  }
}
