/**
 * The learnt queue ranking of an open project: gathers what {@link learnRanking} weighs (the live
 * patches with their decisions, current M5 codes and reference-layer shares) and keeps the fit
 * until the project changes. A fit is a few hundred rows, so it is simply redone whenever the
 * project's revision — decisions, outlines, codes, reference overlaps — moves.
 *
 * Codes are the ones already computed (after a detection run, or by "find similar"); a patch whose
 * code is missing or stale counts as average on the code features rather than waiting for coding.
 */
import type Database from 'better-sqlite3';
import { unpackNibbles } from '../codes/code-packing.js';
import { projectCodes } from '../codes/project-codes.js';
import { referenceStoreOf } from '../reference/reference-store.js';
import type { ProjectStore } from '../store/project-store.js';
import type { RankPatch } from './patch-features.js';
import { learnRanking, type Ranking } from './queue-ranker.js';

interface Cached {
  revision: string;
  ranking: Ranking;
}

const cache = new WeakMap<ProjectStore, Cached>();
const revisionStatements = new WeakMap<Database.Database, Database.Statement[]>();

/** A fingerprint of everything the ranking reads; equal fingerprints give equal rankings. */
export function projectRevision(store: ProjectStore): string {
  let stmts = revisionStatements.get(store.db);
  if (!stmts) {
    stmts = [
      store.db.prepare(
        `SELECT count(*) AS n, max(updated_at) AS t, total(id * (CASE state WHEN 'confirmed' THEN 1
           WHEN 'rejected' THEN 2 WHEN 'field_check' THEN 3 ELSE 0 END)) AS s,
           total(id * deleted) AS d, total(id * linked) AS l
         FROM patches`,
      ),
      store.db.prepare('SELECT count(*) AS n, total(patch_id) AS s FROM patch_codes'),
      store.db.prepare(
        'SELECT count(*) AS n, total(share) AS s, total(layer_id) AS l FROM reference_overlaps',
      ),
      store.db.prepare('SELECT count(*) AS n, total(id) AS s FROM reference_layers'),
    ];
    revisionStatements.set(store.db, stmts);
  }
  return stmts.map((s) => JSON.stringify(s.get())).join('|');
}

/** Current codes by patch id; empty without an installed patch-code model. */
function currentCodes(store: ProjectStore): Map<number, Uint8Array> {
  let codes;
  try {
    codes = projectCodes(store);
  } catch {
    return new Map(); // no patch-code model: the code features stay at their mean
  }
  const { id, code } = codes.model.card;
  return new Map(codes.table.current(id).map((r) => [r.id, unpackNibbles(r.code, code.length)]));
}

/** What the ranking knows of every live patch of the project, and the reference layer names. */
export function rankInput(store: ProjectStore): { patches: RankPatch[]; layers: string[] } {
  const refs = referenceStoreOf(store);
  refs.refresh();
  const layers = refs.layers();
  const shares = layers.map((l) => refs.sharesOf(l.id));
  const codes = currentCodes(store);
  const patches = store.patches().map((p): RankPatch => {
    const id = Number(p.id);
    return {
      id: p.id,
      state: p.state,
      origin: p.origin ?? 'model',
      meanProb: p.meanProb,
      maxProb: p.maxProb,
      areaM2: p.areaM2,
      perimeterM: p.perimeterM,
      geometry: p.geometry,
      changeKind: p.attributes?.changeKind ?? null,
      code: codes.get(id) ?? null,
      referenceShares: shares.map((s) => s.get(id) ?? 0),
    };
  });
  return { patches, layers: layers.map((l) => l.name) };
}

/** The project's learnt ranking, refitted only when the project changed since the last call. */
export function projectRanking(store: ProjectStore): Ranking {
  const revision = projectRevision(store);
  const hit = cache.get(store);
  if (hit && hit.revision === revision) return hit.ranking;
  const { patches, layers } = rankInput(store);
  const ranking = learnRanking(patches, layers);
  // Refreshing overlaps may itself have moved the revision: key the fit by what it read.
  cache.set(store, { revision: projectRevision(store), ranking });
  return ranking;
}
