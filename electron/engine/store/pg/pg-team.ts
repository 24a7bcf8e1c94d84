/**
 * The {@link TeamOps} of a team project (leases, work packages, second checks), each one
 * transaction on the project's pool, and how long its leases last.
 */
import type pg from 'pg';
import type { TeamOps } from '../review-store.js';
import { listLeases, releaseLease, takeLease } from './pg-leases.js';
import { checkPatches, createPackage, deletePackage, listPackages } from './pg-packages.js';
import { inTransaction } from './pg-connection.js';
import type { PgPatchTable, Queryable } from './pg-patch-table.js';
import { DEFAULT_LEASE_SECONDS } from './pg-team-rules.js';
import { withTeam } from './pg-team-views.js';

/** How a team project is opened. */
export interface PgStoreOptions {
  /**
   * Seconds a lease lasts without activity; default LANDWATCH_LEASE_SECONDS from the
   * environment, else 300 (5 minutes).
   */
  leaseSeconds?: number;
}

export function leaseSecondsOf(options: PgStoreOptions): number {
  const given = options.leaseSeconds ?? Number(process.env.LANDWATCH_LEASE_SECONDS ?? NaN);
  return Number.isFinite(given) && given > 0 ? given : DEFAULT_LEASE_SECONDS;
}

export function pgTeamOps(
  pool: pg.Pool,
  srid: number,
  tableOf: (db: Queryable) => PgPatchTable,
  leaseSeconds: number,
): TeamOps {
  const tx = <T>(work: (db: pg.PoolClient, table: PgPatchTable) => Promise<T>) =>
    inTransaction(pool, (db) => work(db, tableOf(db)));
  return {
    takeLease: (id, actor) => tx((db, t) => takeLease(db, t, id, actor, leaseSeconds)),
    releaseLease: (id, actor) => releaseLease(pool, id, actor),
    leases: (actor) => listLeases(pool, actor),
    createPackage: (actor, spec) => tx((db) => createPackage(db, srid, actor, spec)),
    packages: () => listPackages(pool),
    deletePackage: (actor, id) => deletePackage(pool, actor, id),
    check: (actor, ids) => tx(async (db, t) => withTeam(db, await checkPatches(db, t, actor, ids))),
  };
}
