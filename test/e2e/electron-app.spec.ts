/**
 * The desktop app itself, driven through Playwright's _electron. Runs where an Electron binary and a
 * display exist; elsewhere it is skipped with the reason printed.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Electron binary, found without require('electron') (which downloads it when missing). */
function electronBinary(): { path: string | null; reason: string } {
  let path = '';
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (existsSync(pathFile)) path = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  } catch (error) {
    return {
      path: null,
      reason: `Electron is not installed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  if (!path || !existsSync(path)) {
    return {
      path: null,
      reason: 'no Electron binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD)',
    };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY) {
    return { path: null, reason: 'no DISPLAY for an Electron window' };
  }
  return { path, reason: '' };
}

const { path, reason } = electronBinary();
if (!path) console.log(`electron e2e skipped: ${reason}`);

test.describe('desktop app (Electron)', () => {
  test.skip(!path, reason);

  test('starts sandboxed and opens the demo project', async () => {
    const app = await electron.launch({
      executablePath: path as string,
      args: ['.'],
      env: { ...process.env, LANDWATCH_HOME: process.env.LANDWATCH_E2E_HOME ?? '' },
    });
    const window = await app.firstWindow();
    await expect(window.getByTestId('map')).toBeVisible();
    // The renderer has no Node: no require, no process, only the contract's bridge.
    expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
      'undefined',
    );
    expect(
      await window.evaluate(
        () => typeof (globalThis as { landwatch?: { invoke?: unknown } }).landwatch?.invoke,
      ),
    ).toBe('function');
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    );
    await app.close();
  });
});
