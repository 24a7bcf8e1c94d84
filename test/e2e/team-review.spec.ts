/// <reference lib="dom" />
/**
 * Two analysts and a supervisor on one team project, each in their own browser context, against
 * a real `landwatch serve --team` on PostgreSQL (team-server.ts):
 * - Anna opens patch #1 and so takes its lease; Ben opening it sees "Being reviewed by anna" and
 *   cannot review it.
 * - Ben opens patch #3; the supervisor annotates it meanwhile (supervisors are not held by
 *   leases); Ben's decision, carrying the version he read, is refused with who changed it.
 * - Anna confirms #1; the supervisor rejects it in her own browser (an override); Anna sees the
 *   override in the patch panel, and the supervisor sees everyone's progress in the work-package
 *   table.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTeamServer, TEAM_PASSWORD, TEAM_PROJECT, type TeamServer } from './team-server.js';

const ARTIFACTS = 'test/artifacts/e2e';
let team: TeamServer | null = null;
let skipReason: string | null = null;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const started = await startTeamServer([
    ['anna', 'analyst'],
    ['ben', 'analyst'],
    ['sue', 'supervisor'],
  ]);
  if ('skip' in started) skipReason = started.skip;
  else team = started;
});

test.afterAll(async () => {
  await team?.stop();
});

/** A browser context logged in as `user`, with the team project open. */
async function openAs(browser: Browser, user: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${team!.baseUrl}/`);
  await page.getByTestId('team-login-user').fill(user);
  await page.getByTestId('team-login-password').fill(TEAM_PASSWORD);
  await page.getByTestId('team-login-submit').click();
  await page.getByTestId('team-project-round_7').click();
  await expect(page.getByTestId('queue-count')).toHaveAttribute('data-total', '3');
  return page;
}

/** An API call as `user` from outside the browsers (a script of the supervisor's). */
async function apiAs<T>(user: string, channel: string, body: unknown): Promise<T> {
  const base = team!.baseUrl;
  const post = (path: string, payload: unknown, token?: string) =>
    fetch(`${base}/api/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(payload),
    });
  const login = (await (await post('team.login', { user, password: TEAM_PASSWORD })).json()) as {
    token: string;
  };
  const res = await post(channel, body, login.token);
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${channel} as ${user}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const row = (page: Page, id: string) =>
  page.locator(`[data-testid="patch-row"][data-patch-id="${id}"]`);

test('two analysts and a supervisor: a lease, a stale write refused, an override seen', async ({
  browser,
}) => {
  test.skip(skipReason !== null, skipReason ?? '');
  mkdirSync(ARTIFACTS, { recursive: true });
  const anna = await openAs(browser, 'anna');
  const ben = await openAs(browser, 'ben');

  // Anna opens #1: she holds its lease, and Ben sees it.
  await row(anna, '1').click();
  await expect(anna.getByTestId('confirm')).toBeEnabled();
  await expect
    .poll(async () =>
      (
        await apiAs<{ leases: { patchId: string; user: string }[] }>('sue', 'leases.list', {
          projectId: TEAM_PROJECT,
        })
      ).leases.map((l) => `${l.patchId}:${l.user}`),
    )
    .toContain('1:anna');
  await row(ben, '1').click();
  await expect(ben.getByTestId('lease-badge')).toHaveText('Being reviewed by anna');
  await expect(ben.getByTestId('confirm')).toBeDisabled();
  await expect(ben.getByTestId('reject')).toBeDisabled();
  await ben.screenshot({ path: join(ARTIFACTS, 'team-01-leased.jpg'), quality: 80 });

  // Ben opens #3 (its lease is his); the supervisor annotates it; Ben's decision is stale.
  await row(ben, '3').click();
  await expect(ben.getByTestId('lease-badge')).toBeHidden();
  await expect(ben.getByTestId('confirm')).toBeEnabled();
  await apiAs('sue', 'patches.setAttributes', {
    projectId: TEAM_PROJECT,
    patchIds: ['3'],
    attributes: { note: 'seen on site 2026-11-30' },
  });
  await ben.getByTestId('confirm').click();
  const stale = ben.getByTestId('stale-write-message');
  await expect(stale).toContainText('changed by sue');
  await expect(stale).toContainText('nothing was written');
  await expect(row(ben, '3')).toHaveAttribute('data-state', 'unreviewed');
  await ben.screenshot({ path: join(ARTIFACTS, 'team-02-stale.jpg'), quality: 80 });

  // Anna confirms #1; the supervisor, in her own browser, rejects it: an override.
  await anna.getByTestId('confirm').click();
  await expect(row(anna, '1')).toHaveAttribute('data-state', 'confirmed');
  await row(anna, '2').click(); // leaves #1, releasing its lease
  const sue = await openAs(browser, 'sue');
  await expect(row(sue, '1')).toHaveAttribute('data-state', 'confirmed');
  await row(sue, '1').click();
  await sue.getByTestId('review-comment').fill('existing barn, permit 2019/114');
  await sue.getByTestId('reject').click();
  await expect(row(sue, '1')).toHaveAttribute('data-state', 'rejected');

  // Anna sees it when she comes back to the patch.
  await row(anna, '1').click();
  await expect(anna.getByTestId('override-note')).toContainText(
    'Overridden by supervisor sue: existing barn, permit 2019/114',
  );
  await expect(anna.getByTestId('override-note')).toContainText('was confirmed by anna');
  await anna.screenshot({ path: join(ARTIFACTS, 'team-03-override.jpg'), quality: 80 });

  // Everyone's progress, for the supervisor: a package for Ben, and the table shows it.
  await apiAs('sue', 'packages.create', {
    projectId: TEAM_PROJECT,
    name: 'North strip',
    assignee: 'ben',
    patchIds: ['2', '3'],
  });
  // (the supervisor's panel polls every 10 s)
  await expect(sue.getByTestId('package-list')).toContainText('North strip');
  await expect(sue.getByTestId('package-list')).toContainText('ben');
  await sue.screenshot({ path: join(ARTIFACTS, 'team-04-supervisor.jpg'), quality: 80 });
});
