/**
 * The team server over real HTTP and a real PostgreSQL + PostGIS: logging in and out, sessions
 * that expire when idle, the role of every channel, and project ids of other databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamRole } from '../../../electron/common/team-contract.js';
import type { RunningServer } from '../../../electron/server/http-server.js';
import type { TeamBackend } from '../../../electron/server/team-backend.js';
import { CHANNEL_ACCESS } from '../../../electron/server/team-roles.js';
import { startTeamServer } from '../../../electron/server/team-server.js';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster.js';
import { ROLE_USERS, call, errorOf, login, pgRows, seedTeamDb } from './team-fixture.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

describe.skipIf(skip !== null)(`team server${skip ? ` (${skip})` : ''}`, () => {
  const pgc = cluster as PgCluster;
  let server: RunningServer<TeamBackend>;
  let base: string;
  let otherDb: string;
  const tokens = {} as Record<TeamRole, string>;

  beforeAll(async () => {
    const url = await pgc.createDatabase();
    await seedTeamDb(url, ['round_a', 'round_b']);
    otherDb = await pgc.createDatabase();
    await seedTeamDb(otherDb, ['other_team'], false);
    server = await startTeamServer({ db: url, port: 0 });
    base = server.url;
    for (const [role, name] of Object.entries(ROLE_USERS))
      tokens[role as TeamRole] = await login(base, name);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('logs in with a token, an HttpOnly cookie and the role, and says who is logged in', async () => {
    const a = await call(base, 'team.login', { user: 'anna', password: 'correct horse battery' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ user: { name: 'anna', role: 'analyst' }, idleMinutes: 60 });
    const cookie = a.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^landwatch_session_\d+=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const token = (a.body as { token: string }).token;
    expect((await call(base, 'team.me', {}, token)).body).toEqual({
      name: 'anna',
      role: 'analyst',
    });
    // The cookie alone is a session too (what the browser sends).
    const byCookie = await call(base, 'team.me', {}, undefined, { cookie: cookie.split(';')[0] });
    expect(byCookie.body).toEqual({ name: 'anna', role: 'analyst' });
  });

  it('answers a wrong password and an unknown user alike, with 401', async () => {
    const wrong = await call(base, 'team.login', { user: 'vera', password: 'not her password' });
    const unknown = await call(base, 'team.login', { user: 'nobody', password: 'whatever it is' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorOf(wrong)).toEqual({
      code: 'E_UNAUTHENTICATED',
      message: 'Wrong user name or password.',
    });
    expect(errorOf(unknown)).toEqual(errorOf(wrong));
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses calls without a session, or with an unknown token, with 401', async () => {
    for (const token of [undefined, 'made-up-token']) {
      const a = await call(base, 'team.projects', {}, token);
      expect(a.status).toBe(401);
      expect(errorOf(a).code).toBe('E_UNAUTHENTICATED');
    }
    for (const path of ['api/events', 'files/0123456789abcdef01234567']) {
      const res = await fetch(new URL(path, base));
      expect(res.status, path).toBe(401);
    }
    // A channel this server does not have is 404, with or without a session.
    for (const token of [undefined, tokens.analyst]) {
      const a = await call(base, 'leases.nonexistent', {}, token);
      expect(a.status).toBe(404);
      expect(errorOf(a)).toEqual({
        code: 'E_NOT_FOUND',
        message: 'Unknown API channel "leases.nonexistent".',
      });
    }
    // app.info is open: it tells the page to show the login form.
    const info = await call(base, 'app.info');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ team: true, transport: 'http' });
  });

  it('lists the team projects of its database only', async () => {
    const a = await call(base, 'team.projects', {}, tokens.viewer);
    expect(a.body).toEqual([
      {
        id: 'team:round_a',
        name: 'Project round_a',
        schema: 'round_a',
        counts: { unreviewed: 2, confirmed: 0, rejected: 0, field_check: 0 },
      },
      expect.objectContaining({ id: 'team:round_b', schema: 'round_b' }),
    ]);
  });

  it("answers another team's project id, or one that is no project, with 404", async () => {
    for (const projectId of ['team:other_team', 'team:landwatch_team', 'team:public', 'x']) {
      const a = await call(base, 'project.get', { projectId }, tokens.supervisor);
      expect(a.status, projectId).toBe(404);
      expect(errorOf(a).code).toBe('E_NOT_FOUND');
    }
  });

  it('serves a project view and records the logged-in user as the actor', async () => {
    const view = await call(base, 'project.get', { projectId: 'team:round_a' }, tokens.viewer);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      id: 'team:round_a',
      name: 'Project round_a',
      crs: 'EPSG:32650',
      scenes: { before: { name: 'before.tif', display: 'pending' } },
      counts: { unreviewed: 2 },
    });
    const projectId = 'team:round_b';
    const queue = await call(base, 'patches.queue', { projectId }, tokens.analyst);
    const first = (queue.body as { items: { id: string; version: number }[] }).items[0];
    const reviewed = await call(
      base,
      'patches.review',
      {
        projectId,
        patchId: first.id,
        state: 'confirmed',
        expectVersions: { [first.id]: first.version },
      },
      tokens.analyst,
    );
    expect(reviewed.status).toBe(200);
    const history = await call(
      base,
      'patches.history',
      { projectId, patchId: first.id },
      tokens.viewer,
    );
    const last = (history.body as { actor: string }[]).at(-1);
    expect(last?.actor).toBe('anna');
  });

  it('exports a team project for a viewer, offered back as a download with the session', async () => {
    const projectId = 'team:round_a';
    const check = await call(base, 'export.check', { projectId, format: 'gpkg' }, tokens.viewer);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ features: 2 });
    const run = await call(base, 'export.run', { projectId, format: 'gpkg' }, tokens.viewer);
    expect(run.status).toBe(200);
    const { location, features } = run.body as { location: string; features: number };
    expect(features).toBe(2);
    expect(location).toMatch(/^\/files\/[\w-]+\?download=1$/);
    expect((await fetch(new URL(location, base))).status).toBe(401);
    const file = await fetch(new URL(location, base), {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    expect(file.status).toBe(200);
    // A GeoPackage is an SQLite database.
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 15)
        .toString(),
    ).toBe('SQLite format 3');
  });

  it('checks every channel against the role table, for every role', async () => {
    const roles: TeamRole[] = ['viewer', 'analyst', 'supervisor'];
    for (const [channel, access] of Object.entries(CHANNEL_ACCESS)) {
      if (channel === 'team.logout' || access.kind === 'public') continue;
      for (const role of roles) {
        // An empty payload: the role is checked before the payload, so nothing is changed.
        const a = await call(base, channel, {}, tokens[role]);
        if (access.kind === 'local') {
          expect(a.status, `${channel} as ${role}`).toBe(400);
          expect(errorOf(a).message).toContain('does nothing on a team server');
        } else if (access.roles.includes(role)) {
          expect(a.status, `${channel} as ${role}`).not.toBe(403);
          expect(a.status, `${channel} as ${role}`).not.toBe(401);
        } else {
          expect(a.status, `${channel} as ${role}`).toBe(403);
          expect(errorOf(a)).toEqual({
            code: 'E_FORBIDDEN',
            message: expect.stringMatching(new RegExp(`^${channel} .*the ${role} role`)),
          });
        }
      }
    }
  });

  it('lets viewers read but not write, analysts review, and only supervisors change settings', async () => {
    const projectId = 'team:round_a';
    const review = { projectId, patchId: '1', state: 'rejected' };
    expect((await call(base, 'patches.review', review, tokens.viewer)).status).toBe(403);
    expect((await call(base, 'patches.queue', { projectId }, tokens.viewer)).status).toBe(200);
    expect((await call(base, 'patches.review', review, tokens.analyst)).status).toBe(200);
    expect((await call(base, 'history.undo', { projectId }, tokens.analyst)).status).toBe(200);
    const settings = { projectId, rejectCommentMinConfidence: 0.8 };
    const denied = await call(base, 'settings.set', settings, tokens.analyst);
    expect(denied.status).toBe(403);
    expect(errorOf(denied).message).toBe(
      'settings.set is not allowed for the analyst role (it needs supervisor).',
    );
    expect((await call(base, 'settings.set', settings, tokens.supervisor)).status).toBe(200);
    const local = await call(base, 'detect.start', { projectId }, tokens.supervisor);
    expect(local.status).toBe(400);
    expect(errorOf(local).message).toMatch(
      /^detect\.start does nothing on a team server: .*landwatch round/,
    );
  });

  it('ends the session on logout and clears the cookie', async () => {
    const token = await login(base, 'sam');
    const out = await call(base, 'team.logout', {}, token);
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await call(base, 'team.me', {}, token)).status).toBe(401);
    expect((await call(base, 'team.me', {}, tokens.supervisor)).status).toBe(200);
  });

  it('keeps the origin checks: a foreign Origin is refused even with a session', async () => {
    const a = await call(base, 'team.me', {}, tokens.viewer, { origin: 'http://evil.example' });
    expect(a.status).toBe(403);
  });
});

describe.skipIf(skip !== null)(`team sessions that go idle${skip ? ` (${skip})` : ''}`, () => {
  it('expire after the idle time, and a request in time keeps them alive', async () => {
    const pgc = cluster as PgCluster;
    const url = await pgc.createDatabase();
    await seedTeamDb(url, ['idle']);
    // 1.5 s of idleness ends a session.
    const server = await startTeamServer({ db: url, port: 0, idleMinutes: 1.5 / 60 });
    try {
      const kept = await login(server.url, 'anna');
      const idle = await login(server.url, 'vera');
      for (let i = 0; i < 3; i++) {
        await new Promise((ok) => setTimeout(ok, 700));
        expect((await call(server.url, 'team.me', {}, kept)).status).toBe(200);
      }
      const expired = await call(server.url, 'team.me', {}, idle);
      expect(expired.status).toBe(401);
      expect(errorOf(expired).code).toBe('E_UNAUTHENTICATED');
      // Logging in again works, and clears sessions that can never be used again.
      const stale = await login(server.url, 'sam');
      await new Promise((ok) => setTimeout(ok, 1600));
      await login(server.url, 'vera');
      const left = await pgRows(url, 'SELECT user_name FROM landwatch_team.sessions ORDER BY 1');
      expect(left).toEqual([{ user_name: 'vera' }]);
      expect((await call(server.url, 'team.me', {}, stale)).status).toBe(401);
    } finally {
      await server.close();
    }
  }, 30_000);
});
