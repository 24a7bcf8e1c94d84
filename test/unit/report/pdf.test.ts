import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium, printHtmlToPdf } from '../../../electron/engine/report/pdf.js';
import { makeTempDir } from '../export/gdal-cli.js';

const { dir, cleanup } = makeTempDir('pdf');
afterAll(cleanup);

const chromium = findChromium();
const HTML = '<!DOCTYPE html><html><body><h1>图斑 Patch 1</h1></body></html>';

describe('findChromium', () => {
  it('prefers CHROMIUM_PATH, then CHROME_PATH, and skips paths that do not exist', () => {
    const exe = process.execPath; // any existing file stands in for a browser here
    expect(findChromium({ CHROMIUM_PATH: exe })).toBe(exe);
    expect(findChromium({ CHROMIUM_PATH: '/nowhere/chromium', CHROME_PATH: exe })).toBe(exe);
    expect(findChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).toBe(findChromium({}));
  });
});

describe('printHtmlToPdf', () => {
  it('says what went wrong when the browser cannot run or fails', async () => {
    await expect(
      printHtmlToPdf(HTML, join(dir, 'a.pdf'), { chromiumPath: '/nowhere/chrome' }),
    ).rejects.toThrow(/Cannot run \/nowhere\/chrome/);
    await expect(
      printHtmlToPdf(HTML, join(dir, 'b.pdf'), { chromiumPath: '/bin/false' }),
    ).rejects.toThrow(/\/bin\/false exited with code 1 while printing the report/);
    expect(existsSync(join(dir, 'b.pdf'))).toBe(false);
  });

  it.skipIf(!chromium)(
    'prints A4 PDF and refuses to overwrite unless asked',
    async () => {
      const path = join(dir, 'c.pdf');
      expect(await printHtmlToPdf(HTML, path)).toBe(path);
      expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
      await expect(printHtmlToPdf(HTML, path)).rejects.toThrow(/already exists/);
      await printHtmlToPdf(HTML, path, { overwrite: true });
    },
    60_000,
  );
});
