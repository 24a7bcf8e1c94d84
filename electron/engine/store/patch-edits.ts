/**
 * The analyst's operations on patches: review (one or many), attributes, geometry edits (replace,
 * revert to the model's, split by a line, merge), drawing a new patch and deleting. Each one is
 * validated first and then runs through {@link HistoryLog.record}, so the change, its audit rows
 * and its undo entry are written in one transaction.
 */
import type Database from 'better-sqlite3';
import type { PatchAttributes, ReviewState } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import type { MapUnits } from '../vector/geo.js';
import type { Shaped } from './edit-rules.js';
import {
  STATE_VERB,
  attributeColumns,
  checkRejection,
  patchesNamed as plural,
  shapePolygon,
} from './edit-rules.js';
import { splitPolygonByLine, unionPolygons } from './geometry/polygon-ops.js';
import type { PolygonRings } from './geometry/rings.js';
import type { HistoryLog, Recorded } from './history-log.js';
import type { PatchRow, Snapshot } from './patch-rows.js';
import { ATTRIBUTE_COLUMNS, DELETED } from './patch-rows.js';
import type { NewPatchRow, PatchTable } from './patch-table.js';
import type { ProjectLists } from './project-lists.js';
import type { ReadVersions } from './versions.js';
import { StaleWriteError, firstStale } from './versions.js';

/** A decision taken over from an earlier patch (see {@link PatchEditor.inheritDecision}). */
export interface InheritedDecision {
  state: ReviewState;
  comment: string | null;
  changeClass: string | null;
  legality: string | null;
  fieldResult: string | null;
  note: string | null;
}

/** Where patches may lie and how to measure them: from the project's scenes. */
export interface SceneFrame {
  units: MapUnits;
  /** [minX, minY, maxX, maxY]: where both dates' images overlap. */
  extent: [number, number, number, number];
}

/** The run that holds patches drawn by hand. */
export const MANUAL_RUN_ID = 'manual';

/**
 * Validates and applies analyst edits; each public method is one recorded, undoable operation.
 *
 * @example
 * editor.review([12, 13], 'rejected', 'greenhouse roofs', 'alice');
 */
export class PatchEditor {
  private readonly stmts;

  constructor(
    db: Database.Database,
    private readonly table: PatchTable,
    private readonly history: HistoryLog,
    private readonly lists: ProjectLists,
    private readonly frame: () => SceneFrame,
    private readonly manualRunSince: () => string,
  ) {
    this.stmts = {
      review: db.prepare(
        'INSERT INTO reviews (patch_id, state, comment, reviewer, at) VALUES (?, ?, ?, ?, ?)',
      ),
      manualRun: db.prepare(
        `INSERT OR IGNORE INTO runs (id, model_id, model_version, threshold, min_area, params,
           execution_provider, started_at, seconds, patch_count)
         VALUES (?, 'manual', '-', 0, 0, '{}', 'none', ?, 0, 0)`,
      ),
    };
  }

  /**
   * Records one review decision for each patch. Rejecting a patch whose mean probability is at
   * least the project's `rejectCommentMinConfidence` needs a non-empty comment.
   */
  review(
    ids: number[],
    state: ReviewState,
    comment: string | null,
    actor: string,
    expect?: ReadVersions,
  ): Recorded {
    this.checkFresh(expect);
    const rows = this.liveRows(ids);
    const text = comment?.trim() ? comment : null;
    this.checkRejection(rows, state, text);
    return this.history.record(
      'review',
      actor,
      `${STATE_VERB[state]} ${plural(rows)}`,
      ids,
      (at) => {
        for (const r of rows) {
          this.table.apply(r.id, { state, comment: text, reviewer: actor, reviewed_at: at }, at);
          this.stmts.review.run(r.id, state, text, actor, at);
        }
      },
      expect,
    );
  }

  /**
   * Copies an earlier round's decision onto a patch in one undoable step (carry-over between
   * monitoring rounds): its state, comment and attributes, recorded as a review by `actor`.
   */
  inheritDecision(
    id: number,
    decision: InheritedDecision,
    label: string,
    actor: string,
    expect?: ReadVersions,
  ): Recorded {
    this.checkFresh(expect);
    this.table.requireLive(id);
    return this.history.record(
      'inherit',
      actor,
      label,
      [id],
      (at) => {
        this.table.apply(
          id,
          {
            state: decision.state,
            comment: decision.comment,
            reviewer: actor,
            reviewed_at: at,
            change_class: decision.changeClass,
            legality: decision.legality,
            field_result: decision.fieldResult,
            note: decision.note,
          },
          at,
        );
        this.stmts.review.run(id, decision.state, decision.comment, actor, at);
      },
      expect,
    );
  }

  setAttributes(
    ids: number[],
    attributes: Partial<PatchAttributes>,
    actor: string,
    expect?: ReadVersions,
  ): Recorded {
    this.checkFresh(expect);
    const rows = this.liveRows(ids);
    const snap = this.attributeSnapshot(attributes);
    const names = Object.keys(attributes).join(', ');
    return this.history.record(
      'attributes',
      actor,
      `Set ${names} of ${plural(rows)}`,
      ids,
      (at) => {
        for (const r of rows) this.table.apply(r.id, snap, at);
      },
      expect,
    );
  }

  /** Replaces a patch's geometry (e.g. after moving vertices): valid and inside the scene. */
  setGeometry(id: number, rings: number[][][], actor: string, expect?: ReadVersions): Recorded {
    this.checkFresh(expect);
    const row = this.table.requireLive(id);
    const shaped = this.shape(rings, `The new geometry of patch #${row.number}`);
    return this.history.record(
      'geometry',
      actor,
      `Edited the outline of patch #${row.number}`,
      [id],
      (at) => {
        this.table.apply(
          id,
          {
            geometry: shaped.geometry,
            area_m2: shaped.areaM2,
            perimeter_m: shaped.perimeterM,
            edited: shaped.geometry === row.model_geometry ? 0 : 1,
          },
          at,
        );
      },
      expect,
    );
  }

  /** Puts back the geometry the model produced (with its original measurements). */
  revertGeometry(id: number, actor: string, expect?: ReadVersions): Recorded {
    this.checkFresh(expect);
    const row = this.table.requireLive(id);
    if (row.origin !== 'model')
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patch #${row.number} was ${row.origin === 'manual' ? 'drawn by hand' : `made by a ${row.origin}`}: there is no model geometry to return to (undo instead).`,
      );
    return this.history.record(
      'revert',
      actor,
      `Reverted patch #${row.number} to the model's outline`,
      [id],
      (at) => {
        this.table.apply(
          id,
          {
            geometry: row.model_geometry,
            area_m2: row.model_area_m2,
            perimeter_m: row.model_perimeter_m,
            edited: 0,
          },
          at,
        );
      },
      expect,
    );
  }

  /** Splits a patch along a polyline into two or more pieces that replace it. */
  split(id: number, line: number[][], actor: string, expect?: ReadVersions): Recorded {
    this.checkFresh(expect);
    const row = this.table.requireLive(id);
    const pts = line.map((p) => [p[0], p[1]]);
    const pieces = splitPolygonByLine(this.ringsOf(row), pts);
    if (pieces.length < 2)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `The line does not cut patch #${row.number} apart: it must cross the patch, entering and leaving it through its outline.`,
      );
    const shaped = pieces.map((p, i) =>
      this.shape(p, `Piece ${i + 1} of patch #${row.number}`, false),
    );
    return this.history.record(
      'split',
      actor,
      `Split patch #${row.number} into ${pieces.length}`,
      [id],
      (at) => {
        const created = shaped.map((s) =>
          this.table.insert(
            { ...this.inherit(row), ...measures(s), origin: 'split', parents: [id] },
            at,
          ),
        );
        this.table.apply(id, { deleted: DELETED }, at);
        return { created };
      },
      expect,
    );
  }

  /**
   * Merges patches that overlap or share edges into one new patch (the originals are deleted).
   * Per field: geometry is the union; area and perimeter are measured anew; mean probability is
   * the area-weighted mean and max probability the maximum over the patches the model scored
   * (none when all were drawn by hand); state, comment, reviewer and run come
   * from the primary patch (default: the largest); each attribute from the primary, or if it has
   * none, from the largest patch that has one; notes are all kept, one per line.
   */
  merge(
    ids: number[],
    primaryId: number | undefined,
    actor: string,
    expect?: ReadVersions,
  ): Recorded {
    const unique = [...new Set(ids)];
    if (unique.length < 2)
      throw new LandWatchError('E_BAD_REQUEST', 'Merging needs at least two different patches.');
    this.checkFresh(expect);
    const rows = this.liveRows(unique).sort((a, b) => b.area_m2 - a.area_m2);
    const primary = primaryId === undefined ? rows[0] : rows.find((r) => r.id === primaryId);
    if (!primary)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `primaryId ${primaryId} is not one of the patches to merge.`,
      );
    const parts = unionPolygons(rows.map((r) => this.ringsOf(r)));
    const names = rows.map((r) => `#${r.number}`).join(', ');
    if (parts.length !== 1)
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `Patches ${names} make ${parts.length} separate areas: only patches that overlap or share an edge can be merged.`,
      );
    const shaped = this.shape(parts[0], `The union of patches ${names}`, false);
    const attributes = this.inherit(primary).attributes;
    for (const col of Object.values(ATTRIBUTE_COLUMNS) as (keyof NewPatchRow['attributes'])[]) {
      attributes[col] ??= rows.find((r) => r[col] !== null)?.[col] ?? null;
    }
    const notes = [...new Set(rows.map((r) => r.note).filter((n): n is string => !!n))];
    attributes.note = notes.length > 0 ? notes.join('\n') : null;
    // The model's figures come from the patches it scored; drawn ones have none to give.
    const scored = rows.filter((r) => !r.unscored);
    const area = scored.reduce((s, r) => s + r.area_m2, 0);
    const merged: NewPatchRow = {
      ...this.inherit(primary),
      ...measures(shaped),
      meanProb:
        scored.length === 0
          ? null
          : area > 0
            ? scored.reduce((s, r) => s + r.mean_prob * r.area_m2, 0) / area
            : scored[0].mean_prob,
      maxProb: scored.length === 0 ? null : Math.max(...scored.map((r) => r.max_prob)),
      attributes,
      origin: 'merge',
      parents: rows.map((r) => r.id),
    };
    return this.history.record(
      'merge',
      actor,
      `Merged patches ${names}`,
      unique,
      (at) => {
        const created = [this.table.insert(merged, at)];
        for (const r of rows) this.table.apply(r.id, { deleted: DELETED }, at);
        return { created };
      },
      expect,
    );
  }

  /**
   * A patch drawn by hand, in the project's "manual" run. It has no model probability: the API
   * and the exports show none, and the ranking (probability × area) puts it after the detections.
   */
  create(
    rings: number[][][],
    state: ReviewState,
    comment: string | null,
    attributes: Partial<PatchAttributes>,
    actor: string,
  ): Recorded {
    const shaped = this.shape(rings, 'The drawn patch');
    const snap = this.attributeSnapshot(attributes);
    const text = comment?.trim() ? comment : null;
    return this.history.record('create', actor, 'Drew a new patch', [], (at) => {
      this.stmts.manualRun.run(MANUAL_RUN_ID, this.manualRunSince());
      const id = this.table.insert(
        {
          runId: MANUAL_RUN_ID,
          state,
          ...measures(shaped),
          meanProb: null,
          maxProb: null,
          comment: text,
          reviewer: state === 'unreviewed' ? null : actor,
          reviewedAt: state === 'unreviewed' ? null : at,
          origin: 'manual',
          parents: [],
          attributes: {
            change_class: null,
            legality: null,
            parcel_no: null,
            field_result: null,
            note: null,
            change_kind: null,
            ...(snap as Partial<NewPatchRow['attributes']>),
          },
        },
        at,
      );
      if (state !== 'unreviewed') this.stmts.review.run(id, state, text, actor, at);
      return { created: [id] };
    });
  }

  /** Soft-deletes patches (undo brings them back). */
  delete(ids: number[], actor: string, expect?: ReadVersions): Recorded {
    this.checkFresh(expect);
    const rows = this.liveRows(ids);
    return this.history.record(
      'delete',
      actor,
      `Deleted ${plural(rows)}`,
      ids,
      (at) => {
        for (const r of rows) this.table.apply(r.id, { deleted: DELETED }, at);
      },
      expect,
    );
  }

  /**
   * Refuses a write whose versions are stale before anything else is checked, so that a writer
   * who missed a deletion hears who deleted the patch (HistoryLog.record checks again inside the
   * transaction).
   */
  private checkFresh(expect: ReadVersions | undefined): void {
    const stale = firstStale(expect, (id) => this.table.row(id));
    if (stale)
      throw new StaleWriteError(
        stale.id,
        stale.number,
        stale.read,
        stale.now,
        this.table.lastChange(stale.id),
      );
  }

  private liveRows(ids: number[]): PatchRow[] {
    return [...new Set(ids)].map((id) => this.table.requireLive(id));
  }

  private checkRejection(rows: PatchRow[], state: ReviewState, comment: string | null): void {
    checkRejection(rows, state, comment, this.lists.settings().rejectCommentMinConfidence);
  }

  private attributeSnapshot(attributes: Partial<PatchAttributes>): Snapshot {
    this.lists.checkAttributes(attributes);
    return attributeColumns(attributes);
  }

  private ringsOf(row: PatchRow): PolygonRings {
    return (JSON.parse(row.geometry) as { coordinates: PolygonRings }).coordinates;
  }

  /** State, comment and attributes a piece or a merged patch takes over from `row`. */
  private inherit(
    row: PatchRow,
  ): Omit<NewPatchRow, 'geometry' | 'areaM2' | 'perimeterM' | 'origin' | 'parents'> {
    return {
      runId: row.run_id,
      state: row.state,
      meanProb: row.unscored ? null : row.mean_prob,
      maxProb: row.unscored ? null : row.max_prob,
      comment: row.comment,
      reviewer: row.reviewer,
      reviewedAt: row.reviewed_at,
      attributes: {
        change_class: row.change_class,
        legality: row.legality,
        parcel_no: row.parcel_no,
        field_result: row.field_result,
        note: row.note,
        change_kind: row.change_kind,
      },
    };
  }

  private shape(input: number[][][], what: string, checkExtent = true): Shaped {
    return shapePolygon(input, what, this.frame(), checkExtent);
  }
}

function measures(s: Shaped): Pick<NewPatchRow, 'geometry' | 'areaM2' | 'perimeterM'> {
  return { geometry: s.geometry, areaM2: s.areaM2, perimeterM: s.perimeterM };
}
