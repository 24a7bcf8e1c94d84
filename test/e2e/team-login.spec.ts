/// <reference lib="dom" />
/**
 * A team server (`landwatch serve --team`) in the browser: its own throwaway PostgreSQL cluster,
 * a team project on the demo imagery, an analyst who logs in (a wrong password first), opens the
 * project from the team list, sees its patches in the queue and their name and role in the
 * toolbar, reviews one, finds the login form again when the session ends, and logs out; a
 * viewer then sees the same decisions without review controls. The server is this spec's own, on a free port.
 */
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { startTeamServer, TEAM_PASSWORD as PASSWORD, type TeamServer } from './team-server.js';

let team: TeamServer | null = null;
let baseUrl = '';
let dbUrl = '';
let skipReason: string | null = null;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const started = await startTeamServer([
    ['anna', 'analyst'],
    ['vera', 'viewer'],
  ]);
  if ('skip' in started) {
    skipReason = started.skip;
    return;
  }
  team = started;
  ({ baseUrl, dbUrl } = started);
});

test.afterAll(async () => {
  await team?.stop();
});

test('an analyst logs in, opens a team project and reviews its patches', async ({ page }) => {
  test.skip(skipReason !== null, skipReason ?? '');
  await page.goto(`${baseUrl}/`);

  // A wrong password says so, and logs nobody in.
  await page.getByTestId('team-login-user').fill('anna');
  await page.getByTestId('team-login-password').fill('not the password');
  await page.getByTestId('team-login-submit').click();
  await expect(page.getByTestId('team-login-error')).toHaveText('Wrong user name or password.');

  await page.getByTestId('team-login-password').fill(PASSWORD);
  await page.getByTestId('team-login-submit').click();
  const entry = page.getByTestId('team-project-round_7');
  await expect(entry).toContainText('Round 7 — county');
  await expect(entry).toContainText('3 patches · 0 decided');
  await expect(page.getByTestId('team-user-badge')).toContainText('anna');
  await entry.click();

  await expect(page.getByTestId('project-name-label')).toHaveText('Round 7 — county');
  await expect(page.getByTestId('patch-row')).toHaveCount(3);
  await expect(page.getByTestId('team-user-badge')).toContainText('anna');
  await expect(page.getByTestId('team-user-badge')).toContainText('analyst');

  // A review goes through the session, as anna.
  await page.getByTestId('patch-row').first().click();
  await page.getByRole('button', { name: /^Confirm/ }).click();
  await expect(page.getByTestId('patch-row').filter({ hasText: 'Confirmed' })).toHaveCount(1);
  const actors = await page.evaluate(async () => {
    const res = await fetch('/api/patches.history', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: 'team:round_7', patchId: '1' }),
    });
    return ((await res.json()) as { actor: string }[]).map((h) => h.actor);
  });
  expect(actors).toContain('anna');
  await page.screenshot({ path: 'test-results/team-login-project.png' });

  // The session ends on the server (as after the idle time): the next request brings the login
  // form back with a notice, and logging in again reopens the same project.
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query("DELETE FROM landwatch_team.sessions WHERE user_name = 'anna'");
  await db.end();
  await page.getByTestId('patch-row').nth(1).click();
  await page.getByRole('button', { name: /^Reject/ }).click();
  await expect(page.getByTestId('team-login')).toContainText('Your session expired — log in again');
  await page.getByTestId('team-login-user').fill('anna');
  await page.getByTestId('team-login-password').fill(PASSWORD);
  await page.getByTestId('team-login-submit').click();
  await expect(page.getByTestId('project-name-label')).toHaveText('Round 7 — county');
  await expect(page.getByTestId('patch-row').filter({ hasText: 'Confirmed' })).toHaveCount(1);

  // Logging out ends the session: back to the login form, and the API refuses the old cookie.
  await page.getByTestId('team-user-badge').getByTestId('team-logout').click();
  await expect(page.getByTestId('team-login-user')).toBeVisible();
  const status = await page.evaluate(async () => {
    const res = await fetch('/api/team.me', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return res.status;
  });
  expect(status).toBe(401);

  // A viewer sees the queue and the decisions, without review controls.
  await page.getByTestId('team-login-user').fill('vera');
  await page.getByTestId('team-login-password').fill(PASSWORD);
  await page.getByTestId('team-login-submit').click();
  await page.getByTestId('team-project-round_7').click();
  await expect(page.getByTestId('team-user-badge')).toContainText('viewer');
  await expect(page.getByTestId('patch-row').filter({ hasText: 'Confirmed' })).toHaveCount(1);
  await page.getByTestId('patch-row').first().click();
  const controls = page.locator('.review-buttons');
  await expect(controls).toHaveCount(1); // there, but not shown
  await expect(controls).toBeHidden();
});

test('the Projects dialog opens a team server by its address, at its login', async ({ page }) => {
  test.skip(skipReason !== null, skipReason ?? '');
  // The local app (the config's `landwatch serve`), as an analyst has it on their machine.
  await page.goto('/');
  await page.getByTestId('projects-open').click();
  await page.getByTestId('project-open-team').click();
  await page.getByTestId('comment-input').fill(`${baseUrl}/some/page`);
  await page.getByTestId('comment-ok').click();
  // The served app has no windows of its own: the page goes to the team server's login.
  await expect(page.getByTestId('team-login-user')).toBeVisible();
  expect(new URL(page.url()).origin).toBe(baseUrl);
});
