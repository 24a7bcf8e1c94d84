/**
 * Channels of a team server (`landwatch serve --team`): log in, log out, who am I, and the team
 * projects of the database. `team.login` is the one channel callable without a session; it hands
 * back the session token (also set as an HttpOnly cookie). Every other call carries the session.
 *
 * This module runs in Node, Electron and the browser: it must not import Node built-ins.
 */
import { z } from 'zod';
import type { ReviewState } from './enums.js';

export type TeamRole = 'analyst' | 'supervisor' | 'viewer';

export interface TeamUserView {
  name: string;
  role: TeamRole;
}

export interface TeamLoginView {
  /** The session token (send as `Authorization: Bearer <token>`; browsers get the cookie). */
  token: string;
  user: TeamUserView;
  /** The session ends after this many minutes without a request. */
  idleMinutes: number;
}

export interface TeamProjectView {
  /** The project id the other channels take (`team:<schema>`). */
  id: string;
  name: string;
  schema: string;
  counts: Record<ReviewState, number>;
}

const empty = z.object({}).strict();

export const teamContract = {
  'team.login': {
    request: z
      .object({ user: z.string().min(1).max(64), password: z.string().min(1).max(1024) })
      .strict(),
    response: z.custom<TeamLoginView>(),
  },
  /** Ends this session (its token stops working at once). */
  'team.logout': { request: empty, response: z.custom<{ loggedOut: boolean }>() },
  'team.me': { request: empty, response: z.custom<TeamUserView>() },
  /** The team projects of the served database, by name. */
  'team.projects': { request: empty, response: z.custom<TeamProjectView[]>() },
  /**
   * From the desktop (or a local `landwatch serve`): opens a team server's own page, where its
   * login form is. The desktop opens it in a window of its own (`opened: true`); elsewhere the
   * page itself goes there (`opened: false`, `url` = where to go). Plain http beyond this machine
   * needs `allowInsecure`.
   */
  'team.openServer': {
    request: z
      .object({ url: z.string().min(1).max(2048), allowInsecure: z.boolean().optional() })
      .strict(),
    response: z.custom<{ url: string; opened: boolean }>(),
  },
} as const;

export type TeamChannel = keyof typeof teamContract;
