/**
 * The Detect dialog's threshold follows the chosen model's card (a model calibrated to 0.35
 * offers 0.35) until the analyst types one, which then stays when the model changes.
 */
import { expect, test } from './served.js';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiCall } from './api-call.js';

const ID = 'e2e-threshold-035';

test('the threshold defaults to the chosen model card, and a typed one stays', async ({
  page,
  request,
}) => {
  // A user model: the bundled default's graph with a card calibrated to 0.35.
  const info = await apiCall<{ defaultModelId: string; models: { id: string }[] }>(
    request,
    'app.info',
    {},
  );
  const base = join('models', info.defaultModelId);
  const card = JSON.parse(readFileSync(join(base, 'card.json'), 'utf8')) as Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), 'lw-threshold-model-'));
  copyFileSync(join(base, String(card.file)), join(dir, String(card.file)));
  writeFileSync(
    join(dir, 'card.json'),
    JSON.stringify({ ...card, id: ID, name: 'Calibrated copy', threshold: 0.35 }),
  );
  try {
    const added = await apiCall<{ id: string; threshold: number }>(request, 'models.add', {
      path: dir,
      replace: true,
    });
    expect(added).toMatchObject({ id: ID, threshold: 0.35 });

    await page.goto('/');
    await expect(page.getByTestId('map')).toBeVisible();
    await page.getByTestId('detect-open').click();
    const model = page.getByTestId('detect-model');
    const threshold = page.getByTestId('detect-threshold');
    await expect(model).toHaveValue(info.defaultModelId);
    await expect(threshold).toHaveValue('0.5');
    await model.selectOption(ID);
    await expect(threshold).toHaveValue('0.35');
    await model.selectOption(info.defaultModelId);
    await expect(threshold).toHaveValue('0.5');
    // Typed by the analyst: kept whatever model is picked next.
    await threshold.fill('0.62');
    await model.selectOption(ID);
    await expect(threshold).toHaveValue('0.62');
  } finally {
    await apiCall(request, 'models.remove', { modelId: ID });
    rmSync(dir, { recursive: true, force: true });
  }
});
