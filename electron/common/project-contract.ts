/**
 * Channels of the projects an analyst comes back to: the recent list (the demo is one entry among
 * them), opening a project file or a recent entry, renaming and closing. Spread into the one
 * contract in contract.ts. Runs everywhere (Node, Electron, browser): no Node built-ins.
 *
 * The renderer never sees a project's path: recent entries are named by the project id (a hash of
 * the path), and `project.open` takes a path only over HTTP, typed by the user.
 */
import { z } from 'zod';
import type { ReviewState } from './enums.js';
import type { ProjectView } from './views.js';

const id = z.string().min(1).max(128);

/** One entry of the recent-projects list, most recently opened first. */
export interface RecentProjectView {
  /** The project id `project.openRecent` takes. */
  id: string;
  name: string;
  /** File names of the two dates, "before → after". */
  scene: string;
  /** Counts of live patches by state when the project was last seen (live while it is open). */
  counts: Record<ReviewState, number>;
  /** The after scene in small (PNG `data:` URI, at most 96 px), or null when it could not be read. */
  thumbnail: string | null;
  /** ISO time it was last opened. */
  openedAt: string;
  /** The bundled demo project. */
  demo: boolean;
  /** The project file is gone (moved or deleted); opening it fails. */
  missing: boolean;
  /** Open in this backend now. */
  isOpen: boolean;
  /** The project the app reopens on start (the last one opened and not closed). */
  last: boolean;
}

export const projectContract = {
  /** The recent projects, most recently opened first (at most 20). */
  'project.recent': {
    request: z.object({}).strict(),
    response: z.custom<RecentProjectView[]>(),
  },
  /**
   * Opens a project file (`.landwatch`). In the desktop app main shows a file dialog and ignores
   * `path`; over HTTP the user types a path on the serving machine. Null when cancelled.
   */
  'project.open': {
    request: z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
    response: z.custom<ProjectView | null>(),
  },
  /** Opens a project of the recent list again. */
  'project.openRecent': {
    request: z.object({ projectId: id }).strict(),
    response: z.custom<ProjectView>(),
  },
  'project.rename': {
    request: z.object({ projectId: id, name: z.string().trim().min(1).max(200) }).strict(),
    response: z.custom<ProjectView>(),
  },
  /**
   * Closes an open project (it stays in the recent list; the app no longer reopens it on start).
   * With `forget`, it also leaves the recent list.
   */
  'project.close': {
    request: z.object({ projectId: id, forget: z.boolean().default(false) }).strict(),
    response: z.custom<{ closed: boolean }>(),
  },
} as const;

export type ProjectChannel = keyof typeof projectContract;
