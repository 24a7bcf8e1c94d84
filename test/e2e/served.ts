/**
 * `test` for specs against `landwatch serve`: the API request context first loads the page, as a
 * browser would, so it holds the access cookie the server hands its own page (every API call and
 * file fetch needs it). Browser pages get it the same way when they open the app.
 */
import { test as base } from '@playwright/test';

export { expect, type Page } from '@playwright/test';

export const test = base.extend({
  request: async ({ request }, use) => {
    const page = await request.get('/');
    if (!page.ok()) throw new Error(`GET / answered ${page.status()}`);
    await use(request);
  },
});
