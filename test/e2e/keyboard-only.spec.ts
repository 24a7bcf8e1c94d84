/// <reference lib="dom" />
/**
 * A new user's whole day with the keyboard alone, in its own project on the demo imagery (so the
 * other specs' demo project is untouched): R + Enter runs detection, Esc closes the dialog, J
 * selects the first patch, then every patch is decided with C / F / X (Enter in the comment box),
 * each moving on to the next; the stored result is checked through the API.
 */
import { expect, test } from './served.js';
import { createDemoCopy } from './demo-copy.js';

interface Summary {
  total: number;
  byState: Record<'unreviewed' | 'confirmed' | 'rejected' | 'field_check', number>;
}

test('open, detect and review every patch with the keyboard alone', async ({ page, request }) => {
  test.setTimeout(300_000);
  const project = await createDemoCopy(request, 'Keyboard only');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`/?project=${project.id}`);
  await expect(page.getByTestId('project-name-label')).toHaveText('Keyboard only');
  await page.keyboard.press('r');
  await expect(page.getByTestId('detect-start')).toBeFocused();
  await page.keyboard.press('Enter');
  const rows = page.getByTestId('patch-row');
  await expect(rows.first()).toBeVisible({ timeout: 150_000 });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('detect-start')).toBeHidden();

  const total = Number(await page.getByTestId('queue-count').getAttribute('data-total'));
  expect(total).toBeGreaterThan(2);
  await page.keyboard.press('j');
  await expect(rows.first()).toHaveAttribute('aria-selected', 'true');
  for (let i = 0; i < total; i++) {
    const key = i % 5 === 3 ? 'f' : i % 5 === 4 ? 'x' : 'c';
    const selected = page.locator('[data-testid="patch-row"][aria-selected="true"]');
    const id = await selected.getAttribute('data-patch-id');
    await page.keyboard.press(key);
    if (key === 'x') {
      // X asks for a comment (Enter saves it).
      const comment = page.getByTestId('comment-input');
      await expect(comment).toBeVisible();
      await comment.fill('not a change: shadow');
      await page.keyboard.press('Enter');
    }
    const want = key === 'c' ? 'confirmed' : key === 'f' ? 'field_check' : 'rejected';
    await expect(page.locator(`[data-testid="patch-row"][data-patch-id="${id}"]`)).toHaveAttribute(
      'data-state',
      want,
    );
    // Deciding moves the selection on (to the next patch in queue order) before the next key.
    if (i < total - 1) await expect(selected).not.toHaveAttribute('data-patch-id', id as string);
  }

  const res = await request.post('/api/patches.summary', { data: { projectId: project.id } });
  const summary = (await res.json()) as Summary;
  expect(summary.total).toBe(total);
  expect(summary.byState.unreviewed).toBe(0);
  expect(summary.byState.rejected).toBe(Math.floor(total / 5));
  expect(summary.byState.field_check).toBe(Math.floor((total + 1) / 5));
  await expect(page.getByTestId('status-progress')).toContainText(`${total} of ${total}`);
  expect(errors).toEqual([]);
});
