/**
 * Who may use each channel on a team server: one row per channel of the contract, so a channel
 * added to the contract fails the typecheck here until someone decides its roles.
 *
 * - viewer: reads (the queue, patches, history, settings, exports and reports).
 * - analyst: + reviewing and editing patches, undo/redo of their own steps.
 * - supervisor: everything an analyst does + project-wide settings, code lists and layers.
 * - `public`: callable without a session (logging in, and app.info, which says "log in").
 * - `local`: a channel that means nothing for a team project (picking local files, making or
 *   opening a project file, models on the desktop, detection — team projects are detected by
 *   rounds, `landwatch round`); it is refused with its reason and does nothing.
 */
import type { Channel } from '../common/contract.js';
import type { TeamRole } from '../common/team-contract.js';

export type ChannelAccess =
  | { kind: 'public' }
  | { kind: 'roles'; roles: readonly TeamRole[] }
  | { kind: 'local'; reason: string };

const PUBLIC: ChannelAccess = { kind: 'public' };
const VIEW: ChannelAccess = { kind: 'roles', roles: ['viewer', 'analyst', 'supervisor'] };
const EDIT: ChannelAccess = { kind: 'roles', roles: ['analyst', 'supervisor'] };
const SUPERVISE: ChannelAccess = { kind: 'roles', roles: ['supervisor'] };
const local = (reason: string): ChannelAccess => ({ kind: 'local', reason });

const FILES = local('a team project is opened from the team list, not from a file');
const DETECT = local('team projects are detected by rounds (`landwatch round`), not from the app');
const MODELS = local('models of a team server are installed on the server, not from the app');

export const CHANNEL_ACCESS: Record<Channel, ChannelAccess> = {
  'app.info': PUBLIC,
  'team.login': PUBLIC,
  'team.logout': VIEW,
  'team.me': VIEW,
  'team.projects': VIEW,

  'models.add': MODELS,
  'models.remove': MODELS,
  'file.pickImage': local('a team project has its scenes already; there is no image to pick'),
  'team.openServer': local('this is a team server already; its projects are in the team list'),
  'project.create': local('team projects are created on the server (`landwatch round`)'),
  'project.openDemo': FILES,
  'project.recent': FILES,
  'project.open': FILES,
  'project.openRecent': FILES,
  'project.close': local('team projects stay open on the server; log out or open another'),
  'detect.start': DETECT,
  'detect.cancel': DETECT,

  'project.get': VIEW,
  'project.rename': SUPERVISE,
  'patches.list': VIEW,
  'patches.queue': VIEW,
  'patches.next': VIEW,
  'patches.summary': VIEW,
  'patches.get': VIEW,
  'patches.history': VIEW,
  'patches.similar': VIEW,
  'history.list': VIEW,
  'codeLists.get': VIEW,
  'settings.get': VIEW,
  'rank.learnt': VIEW,
  'rank.explain': VIEW,
  'reference.list': VIEW,
  'reference.features': VIEW,
  'reference.shares': VIEW,
  'reference.overlaps': VIEW,
  'export.check': VIEW,
  'export.run': VIEW,
  'report.evidence': VIEW,
  'display.prepare': VIEW,
  'display.cancel': VIEW,
  'adapt.summary': VIEW,

  'leases.list': VIEW,
  'packages.list': VIEW,
  'leases.take': EDIT,
  'leases.release': EDIT,
  'packages.create': SUPERVISE,
  'packages.delete': SUPERVISE,
  'patches.check': SUPERVISE,

  'patches.review': EDIT,
  'patches.reviewMany': EDIT,
  'patches.setAttributes': EDIT,
  'patches.setGeometry': EDIT,
  'patches.revertGeometry': EDIT,
  'patches.split': EDIT,
  'patches.merge': EDIT,
  'patches.create': EDIT,
  'patches.delete': EDIT,
  'patches.carryOver': EDIT,
  'patches.inherit': EDIT,
  'codes.update': EDIT,
  'history.undo': EDIT,
  'history.redo': EDIT,
  'adapt.markReviewed': EDIT,

  'settings.set': SUPERVISE,
  'reference.import': SUPERVISE,
  'reference.remove': SUPERVISE,
  'adapt.start': SUPERVISE,
  'adapt.cancel': SUPERVISE,
};

/** Why `role` may not use `channel`, or null when it may (a `local` channel is not a role matter). */
export function roleRefusal(channel: Channel, role: TeamRole): string | null {
  const access = CHANNEL_ACCESS[channel];
  if (access.kind !== 'roles' || access.roles.includes(role)) return null;
  const who = access.roles.join(' or ');
  return `${channel} is not allowed for the ${role} role (it needs ${who}).`;
}
