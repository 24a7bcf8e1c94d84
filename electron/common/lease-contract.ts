/**
 * Channels that keep a team from losing or doubling decisions (issue 17): leases (who is reviewing
 * a patch right now), work packages (who reviews which patches, and everyone's progress) and a
 * supervisor's second check. Spread into `contract` (contract.ts); handled by
 * electron/engine/api/lease-handlers.ts. Team projects (PostgreSQL) only: on a local project file
 * the reads answer empty and the writes are refused with E_BAD_REQUEST. Runs everywhere: no Node
 * built-ins.
 */
import { z } from 'zod';
import type { PatchView } from './views.js';

const id = z.string().min(1).max(128);
const patchId = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a patch id (a positive integer)');
const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be a team user name');
const position = z.array(z.number().finite()).min(2).max(3);

/** A GeoJSON Polygon in the project CRS (the area of a work package). */
const areaSchema = z
  .object({
    type: z.literal('Polygon'),
    coordinates: z.array(z.array(position).min(4).max(100_000)).min(1).max(1_000),
  })
  .strict();

/** Someone is reviewing a patch: nobody else may change it until the lease ends. */
export interface LeaseView {
  patchId: string;
  user: string;
  /** ISO time the lease was first taken. */
  since: string;
  /** ISO time it ends unless renewed (by `leases.take` or any write of its holder). */
  expiresAt: string;
  /** The lease is the caller's own. */
  mine: boolean;
}

/** The caller as the team knows them, and every active lease of the project. */
export interface LeaseListView {
  user: string;
  /** Null when the caller is not a user of the team (a local tool). */
  role: 'analyst' | 'supervisor' | 'viewer' | null;
  leases: LeaseView[];
}

/** A work package with its progress (counts of its live patches). */
export interface WorkPackageView {
  id: string;
  name: string;
  assignee: string;
  createdBy: string;
  createdAt: string;
  total: number;
  /** Decided in any way (confirmed, rejected or field check). */
  reviewed: number;
  confirmed: number;
  rejected: number;
  fieldCheck: number;
}

/** A supervisor changed a decision an analyst made (shown to the analyst). */
export interface OverrideView {
  by: string;
  at: string;
  comment: string | null;
  /** The decision overridden and who made it. */
  previousState: string;
  previousReviewer: string;
}

/** A supervisor confirmed the current decision (until the patch changes again). */
export interface SecondCheckView {
  by: string;
  at: string;
}

export const leaseContract = {
  /**
   * Takes (or renews) the lease of a patch for editing. Held by someone else: their lease comes
   * back (`mine: false`) and nothing changes. Viewers, and analysts on a patch outside their
   * work, get E_FORBIDDEN.
   */
  'leases.take': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<LeaseView>(),
  },
  /** Gives up the caller's lease of a patch (no-op when they hold none). */
  'leases.release': {
    request: z.object({ projectId: id, patchId }).strict(),
    response: z.custom<{ released: boolean }>(),
  },
  /** Active leases of the project (for the map and the queue), and who the caller is. */
  'leases.list': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<LeaseListView>(),
  },
  /**
   * A supervisor assigns patches to a user: the live patches intersecting `area` (a polygon in the
   * project CRS) that are in no other package, or exactly `patchIds` (refused when one is already
   * in another package).
   */
  'packages.create': {
    request: z
      .object({
        projectId: id,
        name: z.string().trim().min(1).max(200),
        assignee: userName,
        patchIds: z.array(patchId).min(1).max(100_000).optional(),
        area: areaSchema.optional(),
      })
      .strict()
      .refine((r) => (r.patchIds === undefined) !== (r.area === undefined), {
        message: 'give either patchIds or area (not both)',
      }),
    response: z.custom<WorkPackageView & { skipped: number }>(),
  },
  /** Every work package with its progress. */
  'packages.list': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<WorkPackageView[]>(),
  },
  'packages.delete': {
    request: z.object({ projectId: id, packageId: patchId }).strict(),
    response: z.custom<{ deleted: boolean }>(),
  },
  /** A supervisor marks decisions second-checked (each until the patch changes again). */
  'patches.check': {
    request: z.object({ projectId: id, patchIds: z.array(patchId).min(1).max(10_000) }).strict(),
    response: z.custom<PatchView[]>(),
  },
} as const;

export type LeaseChannel = keyof typeof leaseContract;
