/// <reference lib="dom" />
/**
 * The team panels in the browser (renderer/src/team/): on a project marked as a team project,
 * opening a patch takes its lease; another analyst's lease shows "Being reviewed by …" and
 * disables the review buttons; a write refused with E_CONFLICT shows who changed the patch and
 * reloads it; a supervisor's override of the analyst's decision shows in the panel.
 *
 * The team server (login, PostgreSQL) is another part of issue 17, so here the project is a local
 * demo copy served as usual, and a route layer plays the rest of the team: it marks the project
 * `team`, answers the lease and package channels as a team server would with Alice holding the
 * first patch, refuses Bob's write to the second as stale and adds Carol's override to the third.
 * What the store does with leases, packages and overrides is tested on PostgreSQL
 * (test/unit/store/pg-lease.test.ts, test/unit/renderer/team-client.test.ts).
 */
import type { Route } from '@playwright/test';
import { expect, test } from './served.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall } from './api-call.js';
import { createDemoCopy } from './demo-copy.js';

const ARTIFACTS = 'test/artifacts/e2e';

test('another analyst’s lease, a stale write and an override, as the patch panel shows them', async ({
  page,
  request,
}) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const project = await createDemoCopy(request, 'Team panels');
  const [minX, minY] = project.scenes.before.extent;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const x = minX + 20 + i * 60;
    const y = minY + 20;
    // Larger first, so the queue lists them in this order.
    const side = 40 - i * 10;
    const made = await apiCall<{ changed: { id: string }[] }>(request, 'patches.create', {
      projectId: project.id,
      state: 'unreviewed',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [x, y],
            [x + side, y],
            [x + side, y + side],
            [x, y + side],
            [x, y],
          ],
        ],
      },
    });
    ids.push(made.changed[0].id);
  }
  const [leased, stale, overridden] = ids;
  const since = new Date(Date.now() - 60_000).toISOString();
  const until = new Date(Date.now() + 240_000).toISOString();
  const taken: string[] = [];

  const json = (route: Route, status: number, body: unknown) =>
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  await page.route('**/api/**', async (route) => {
    const channel = new URL(route.request().url()).pathname.replace('/api/', '');
    const body = (route.request().postDataJSON() ?? {}) as { patchId?: string };
    const alices = { patchId: leased, user: 'alice', since, expiresAt: until, mine: false };
    switch (channel) {
      case 'project.get': {
        const real = await route.fetch();
        return json(route, 200, { ...(await real.json()), team: true });
      }
      case 'leases.list':
        return json(route, 200, { user: 'bob', role: 'analyst', leases: [alices] });
      case 'packages.list':
        return json(route, 200, []);
      case 'leases.take':
        taken.push(body.patchId ?? '');
        return json(
          route,
          200,
          body.patchId === leased
            ? alices
            : { patchId: body.patchId, user: 'bob', since, expiresAt: until, mine: true },
        );
      case 'leases.release':
        return json(route, 200, { released: true });
      case 'patches.review':
        if (body.patchId === stale)
          return json(route, 409, {
            error: {
              code: 'E_CONFLICT',
              message:
                'Patch #2 was changed by alice at 2026-12-06T10:02:00.000Z (review) after you opened it (you read version 1, it is now at version 2); nothing was written. Reload the patch and decide again.',
            },
          });
        return route.fallback();
      case 'patches.get': {
        const real = await route.fetch();
        const view = await real.json();
        if (body.patchId === stale)
          return json(route, 200, { ...view, state: 'confirmed', reviewer: 'alice', version: 2 });
        return json(route, 200, view);
      }
      case 'patches.queue': {
        const real = await route.fetch();
        const page = await real.json();
        for (const item of page.items as { id: string }[])
          if (item.id === overridden)
            Object.assign(item, {
              state: 'rejected',
              reviewer: 'carol',
              override: {
                by: 'carol',
                at: since,
                comment: 'only a shadow',
                previousState: 'confirmed',
                previousReviewer: 'bob',
              },
            });
        return json(route, 200, page);
      }
      default:
        return route.fallback();
    }
  });

  await page.goto(`/?project=${project.id}`);
  const rows = page.getByTestId('patch-row');
  await expect(page.getByTestId('queue-count')).toHaveAttribute('data-total', '3');

  // Alice holds the first patch: Bob sees who, and cannot review it.
  await page.locator(`[data-patch-id="${leased}"]`).click();
  await expect(page.getByTestId('lease-badge')).toHaveText('Being reviewed by alice');
  await expect(page.getByTestId('confirm')).toBeDisabled();
  await expect(page.getByTestId('reject')).toBeDisabled();
  await page.screenshot({ path: join(ARTIFACTS, 'team-01-leased.jpg'), quality: 80 });

  // The second is free: Bob takes its lease, but his decision is refused as stale.
  await page.locator(`[data-patch-id="${stale}"]`).click();
  await expect(page.getByTestId('lease-badge')).toBeHidden();
  await expect(page.getByTestId('confirm')).toBeEnabled();
  await page.getByTestId('reject').click();
  const message = page.getByTestId('stale-write-message');
  await expect(message).toContainText('Patch #2 was changed by alice at 2026-12-06T10:02');
  await expect(message).toContainText('nothing was written');
  // …and the patch is reloaded with Alice's decision.
  await expect(page.locator(`[data-patch-id="${stale}"]`)).toHaveAttribute(
    'data-state',
    'confirmed',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'team-02-stale.jpg'), quality: 80 });

  // The third: the supervisor overrode Bob's decision.
  await page.locator(`[data-patch-id="${overridden}"]`).click();
  await expect(page.getByTestId('stale-write-message')).toBeHidden();
  await expect(page.getByTestId('override-note')).toHaveText(
    'Overridden by supervisor carol: only a shadow (was confirmed by bob)',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'team-03-override.jpg'), quality: 80 });
  expect(taken).toEqual(expect.arrayContaining([leased, stale, overridden]));
  expect(await rows.count()).toBe(3);
});

test('a supervisor sees everyone’s progress and second-checks a decision', async ({
  page,
  request,
}) => {
  const project = await createDemoCopy(request, 'Team progress');
  const [minX, minY] = project.scenes.before.extent;
  const made = await apiCall<{ changed: { id: string }[] }>(request, 'patches.create', {
    projectId: project.id,
    state: 'confirmed',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [minX + 20, minY + 20],
          [minX + 50, minY + 20],
          [minX + 50, minY + 50],
          [minX + 20, minY + 50],
          [minX + 20, minY + 20],
        ],
      ],
    },
  });
  const id = made.changed[0].id;
  const packages = [
    {
      id: '1',
      name: 'north',
      assignee: 'alice',
      createdBy: 'carol',
      createdAt: '',
      total: 40,
      reviewed: 12,
      confirmed: 7,
      rejected: 5,
      fieldCheck: 0,
    },
    {
      id: '2',
      name: 'south',
      assignee: 'bob',
      createdBy: 'carol',
      createdAt: '',
      total: 25,
      reviewed: 25,
      confirmed: 10,
      rejected: 14,
      fieldCheck: 1,
    },
  ];
  const checked: string[][] = [];
  const json = (route: Route, body: unknown) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  await page.route('**/api/**', async (route) => {
    const channel = new URL(route.request().url()).pathname.replace('/api/', '');
    const body = (route.request().postDataJSON() ?? {}) as {
      patchId?: string;
      patchIds?: string[];
    };
    switch (channel) {
      case 'project.get': {
        const real = await route.fetch();
        return json(route, { ...(await real.json()), team: true });
      }
      case 'leases.list':
        return json(route, { user: 'carol', role: 'supervisor', leases: [] });
      case 'packages.list':
        return json(route, packages);
      case 'leases.take':
        return json(route, {
          patchId: body.patchId,
          user: 'carol',
          since: '',
          expiresAt: '',
          mine: true,
        });
      case 'leases.release':
        return json(route, { released: true });
      case 'patches.check': {
        checked.push(body.patchIds ?? []);
        const real = await request.post('/api/patches.get', {
          data: { projectId: project.id, patchId: id },
        });
        return json(route, [
          { ...(await real.json()), secondCheck: { by: 'carol', at: new Date().toISOString() } },
        ]);
      }
      default:
        return route.fallback();
    }
  });

  await page.goto(`/?project=${project.id}`);
  const table = page.getByTestId('package-list');
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').first()).toContainText('north');
  await expect(table.locator('tbody tr').first()).toContainText('12 / 40');
  await expect(table.locator('tbody tr').nth(1)).toContainText('25 / 25');
  await page.locator(`[data-patch-id="${id}"]`).click();
  await page.getByTestId('second-check').click();
  await expect(page.getByTestId('second-check-note')).toContainText('Second-checked by carol');
  await expect(page.getByTestId('second-check')).toBeHidden();
  expect(checked).toEqual([[id]]);
  await page.screenshot({ path: join(ARTIFACTS, 'team-04-supervisor.jpg'), quality: 80 });
});
