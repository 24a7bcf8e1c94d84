/**
 * The backend of a team server (`landwatch serve --team`): the same contract as the desktop's
 * {@link Backend}, answered from the team projects of one PostgreSQL database. The caller (the
 * HTTP layer, team-gate.ts) runs each request inside the session it authenticated; here every
 * channel is checked against the role table (team-roles.ts) before its payload is even read, and
 * the review channels record the logged-in user as the actor.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiEvent, Channel, ParsedRequestOf, ResponseOf } from '../common/contract.js';
import { contract, isChannel } from '../common/contract.js';
import type { TeamUserView } from '../common/team-contract.js';
import { APP_VERSION } from '../engine/api/backend.js';
import { FileTokens } from '../engine/api/file-tokens.js';
import { leaseHandlers } from '../engine/api/lease-handlers.js';
import { teamExportHandlers } from '../engine/api/team-export-handlers.js';
import { httpHost } from './http-host.js';
import { patchHandlers } from '../engine/api/patch-handlers.js';
import { LandWatchError } from '../engine/errors.js';
import { availableProviders } from '../engine/inference/session.js';
import { TeamProjects } from '../engine/team/team-projects.js';
import type { TeamUsers } from '../engine/team/team-users.js';
import { LoginThrottle } from './login-throttle.js';
import { CHANNEL_ACCESS, roleRefusal } from './team-roles.js';

/** The session a request runs in (absent: no valid session came with it). */
export interface TeamSession {
  user: TeamUserView;
  token: string;
}

type Handlers = { [C in Channel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

export interface TeamBackendOptions {
  url: string;
  users: TeamUsers;
  /** Sessions end after this many idle minutes (fractions allowed; default 60). */
  idleMinutes?: number;
  fileUrl: (token: string) => string;
}

export class TeamBackend {
  readonly files = new FileTokens();
  readonly projects: TeamProjects;
  readonly idleMinutes: number;
  private readonly session = new AsyncLocalStorage<TeamSession>();
  private readonly throttle = new LoginThrottle();
  private readonly handlers: Handlers;

  constructor(private readonly options: TeamBackendOptions) {
    this.idleMinutes = options.idleMinutes ?? 60;
    this.projects = new TeamProjects(options.url, this.files, options.fileUrl);
    const users = options.users;
    const me = (): TeamSession => {
      const s = this.session.getStore();
      if (!s) throw unauthenticated();
      return s;
    };
    const notYet = (channel: Channel) => async (): Promise<never> => {
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${channel} is not available for team projects yet; use a local copy of the project.`,
      );
    };
    const local = (channel: Channel) => async (): Promise<never> => {
      const access = CHANNEL_ACCESS[channel];
      const reason = access.kind === 'local' ? access.reason : 'not for team projects';
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${channel} does nothing on a team server: ${reason}.`,
      );
    };
    this.handlers = {
      'app.info': async () => ({
        version: APP_VERSION,
        transport: 'http',
        executionProviders: availableProviders(),
        models: [],
        defaultModelId: null,
        team: true,
      }),
      'team.login': async (req) => {
        this.throttle.check(req.user);
        let login;
        try {
          login = await users.login(req.user, req.password);
        } catch (error) {
          if (!(error instanceof LandWatchError) || error.code !== 'E_BAD_REQUEST') throw error;
          await this.throttle.failed(req.user);
          throw new LandWatchError('E_UNAUTHENTICATED', 'Wrong user name or password.');
        }
        this.throttle.succeeded(req.user);
        await users.pruneSessions(this.idleMinutes);
        return {
          token: login.token,
          user: { name: login.user.name, role: login.user.role },
          idleMinutes: this.idleMinutes,
        };
      },
      'team.logout': async () => {
        await users.logout(me().token);
        return { loggedOut: true };
      },
      'team.me': async () => me().user,
      'team.projects': async () => this.projects.list(),
      'project.get': async (req) => this.projects.view(req.projectId),
      ...patchHandlers(
        (projectId) => this.projects.opened(projectId),
        () => me().user.name,
      ),
      // Exports and evidence reports read the team project through SQL, written under the data
      // home and offered back as download URLs, as `landwatch serve` does for project files.
      ...teamExportHandlers(
        (projectId) => this.projects.open(projectId),
        httpHost(() => this.files),
      ),
      ...leaseHandlers(
        (projectId) => this.projects.opened(projectId),
        () => me().user.name,
      ),
      // A team project has no reference layers (importing one is not offered yet) …
      'reference.list': async () => [],
      // … and its scenes are read as they are (team-projects.ts), so there is nothing to prepare.
      'display.prepare': async () => ({ jobId: null }),
      'display.cancel': async () => ({ cancelled: false }),
      'rank.learnt': async () => ({
        ready: false,
        decisions: { confirmed: 0, rejected: 0 },
        needed: 0,
        message: 'The learnt ranking is not available for team projects yet.',
        probabilities: {},
      }),
      'rank.explain': notYet('rank.explain'),
      'project.rename': notYet('project.rename'),
      'patches.similar': notYet('patches.similar'),
      'patches.carryOver': notYet('patches.carryOver'),
      'patches.inherit': notYet('patches.inherit'),
      'codes.update': notYet('codes.update'),
      'reference.import': notYet('reference.import'),
      'reference.remove': notYet('reference.remove'),
      'reference.features': notYet('reference.features'),
      'reference.shares': notYet('reference.shares'),
      'reference.overlaps': notYet('reference.overlaps'),
      'adapt.summary': notYet('adapt.summary'),
      'adapt.start': notYet('adapt.start'),
      'adapt.cancel': notYet('adapt.cancel'),
      'adapt.markReviewed': notYet('adapt.markReviewed'),
      'models.add': local('models.add'),
      'models.remove': local('models.remove'),
      'file.pickImage': local('file.pickImage'),
      'team.openServer': local('team.openServer'),
      'project.create': local('project.create'),
      'project.openDemo': local('project.openDemo'),
      'project.recent': local('project.recent'),
      'project.open': local('project.open'),
      'project.openRecent': local('project.openRecent'),
      'project.close': local('project.close'),
      'detect.start': local('detect.start'),
      'detect.cancel': local('detect.cancel'),
    };
  }

  /** The user behind a session token, or null (unknown, ended or idle too long). */
  async authenticate(token: string): Promise<TeamUserView | null> {
    const user = await this.options.users.authenticate(token, this.idleMinutes);
    return user ? { name: user.name, role: user.role } : null;
  }

  /** Runs `work` (a {@link handle} call) as the user of `session`, or without one. */
  within<T>(session: TeamSession | null, work: () => Promise<T>): Promise<T> {
    return session ? this.session.run(session, work) : work();
  }

  /**
   * Checks the session and the role, validates and runs one request. E_NOT_FOUND for a channel
   * the contract does not have, E_UNAUTHENTICATED without a session, E_FORBIDDEN for a role the
   * channel does not allow, E_NOT_FOUND for a project id that names no project of this database.
   */
  async handle(channel: string, payload: unknown): Promise<unknown> {
    // 404, as for any path this server does not have (clients probe for optional channels).
    if (!isChannel(channel))
      throw new LandWatchError('E_NOT_FOUND', `Unknown API channel "${channel}".`);
    const access = CHANNEL_ACCESS[channel];
    if (access.kind !== 'public') {
      const session = this.session.getStore();
      if (!session) throw unauthenticated();
      const refusal = roleRefusal(channel, session.user.role);
      if (refusal) throw new LandWatchError('E_FORBIDDEN', refusal);
    }
    // A channel meaning nothing here is refused whatever its payload.
    if (access.kind === 'local') return this.handlers[channel]({} as never);
    const parsed = contract[channel].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'payload';
      throw new LandWatchError('E_BAD_REQUEST', `${channel}: invalid ${where}: ${issue.message}.`);
    }
    const data = parsed.data as { projectId?: unknown };
    if (typeof data.projectId === 'string') await this.projects.open(data.projectId);
    const handler = this.handlers[channel] as (req: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  /** A team server runs no jobs, so there are no events to push. */
  onEvent(_listener: (event: ApiEvent) => void): () => void {
    return () => {};
  }

  async dispose(): Promise<void> {
    await this.projects.closeAll();
  }
}

function unauthenticated(): LandWatchError {
  return new LandWatchError(
    'E_UNAUTHENTICATED',
    'Log in first: this request carries no valid session (it may have expired).',
  );
}
