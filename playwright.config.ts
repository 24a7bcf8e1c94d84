import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// End-to-end tests drive the real UI in Debian's Chromium over the HTTP transport
// (`landwatch serve`), against a throw-away data home. Never `npx playwright install`.
const home = process.env.LANDWATCH_E2E_HOME ?? mkdtempSync(join(tmpdir(), 'landwatch-e2e-'));
process.env.LANDWATCH_E2E_HOME = home;
const port = Number(process.env.LANDWATCH_E2E_PORT ?? 5199);

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node bin/landwatch.js serve --port ${port}`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { LANDWATCH_HOME: home },
  },
});
