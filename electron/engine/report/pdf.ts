/**
 * HTML to PDF through a headless Chromium or Chrome found on the machine (`--print-to-pdf`), so
 * the CLI and the server print evidence reports without Electron. Inside the desktop app the main
 * process can print with its own Chromium instead (webContents.printToPDF); it passes that in as a
 * {@link PdfPrinter} and nothing here changes.
 *
 * The HTML is LandWatch's own (no scripts, a CSP that forbids loading anything), printed from a
 * private temporary folder with a throw-away browser profile, so the user's browser profile and
 * network are never touched.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LandWatchError } from '../errors.js';
import { assertCanWrite, commitPart, partPath } from '../export/output-files.js';

/** Prints an HTML document to a PDF file at `pdfPath` and resolves with that path. */
export type PdfPrinter = (html: string, pdfPath: string) => Promise<string>;

/** Where Chromium, Chrome and Edge usually live, after CHROMIUM_PATH / CHROME_PATH. */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/microsoft-edge',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
];

/**
 * The first Chromium-family browser found: `CHROMIUM_PATH`, then `CHROME_PATH`, then the usual
 * install locations (Linux, macOS, Windows incl. per-user Chrome). Null when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const local = env.LOCALAPPDATA
    ? [join(env.LOCALAPPDATA, 'Google', 'Chrome', 'Application', 'chrome.exe')]
    : [];
  const candidates = [env.CHROMIUM_PATH, env.CHROME_PATH, ...CANDIDATES, ...local];
  for (const path of candidates) {
    if (path && existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

/** Options of {@link printHtmlToPdf}. */
export interface PrintOptions {
  /** The browser to run; default {@link findChromium}. */
  chromiumPath?: string;
  /** Give up after this long. Default 120 s. */
  timeoutMs?: number;
  /** Replace an existing PDF. Default false. */
  overwrite?: boolean;
}

/**
 * Prints `html` to `pdfPath` with headless Chromium (A4, backgrounds on, no header or footer) and
 * resolves with the path. Fails with E_OUTPUT, saying what to install or set, when no browser is
 * found, and with the browser's own words when printing fails.
 *
 * @example
 * await printHtmlToPdf(html, 'evidence.pdf'); // uses CHROMIUM_PATH or an installed Chrome
 */
export async function printHtmlToPdf(
  html: string,
  pdfPath: string,
  options: PrintOptions = {},
): Promise<string> {
  assertCanWrite([pdfPath], options.overwrite);
  const browser = options.chromiumPath ?? findChromium();
  if (!browser) {
    throw new LandWatchError(
      'E_OUTPUT',
      `Cannot write ${pdfPath}: no Chromium, Chrome or Edge was found to print it. Install one, set ` +
        'CHROMIUM_PATH to its executable, or export the report as .html and print it from a browser.',
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'landwatch-pdf-'));
  try {
    const page = join(work, 'report.html');
    writeFileSync(page, html);
    const target = partPath(pdfPath);
    rmSync(target, { force: true });
    await runBrowser(
      browser,
      [
        '--headless',
        '--no-sandbox', // the page is our own, script-free HTML; sandboxing fails as root in CI
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-extensions',
        '--no-first-run',
        '--no-default-browser-check',
        '--hide-scrollbars',
        '--no-pdf-header-footer',
        '--print-to-pdf-no-header', // the same switch in Chromium before 120
        `--user-data-dir=${join(work, 'profile')}`,
        `--print-to-pdf=${target}`,
        pathToFileURL(page).href,
      ],
      options.timeoutMs ?? 120_000,
    );
    if (!existsSync(target) || statSync(target).size === 0) {
      throw new LandWatchError('E_OUTPUT', `${browser} did not write ${pdfPath}.`);
    }
    commitPart(pdfPath);
    return pdfPath;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs the browser to completion; rejects with its stderr on failure or timeout. */
function runBrowser(browser: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(browser, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new LandWatchError('E_OUTPUT', `Cannot run ${browser}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `stopped after ${timeoutMs / 1000} s` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(
        new LandWatchError('E_OUTPUT', `${browser} ${why} while printing the report. ${last}`),
      );
    });
  });
}

/** The default {@link PdfPrinter}: headless Chromium via {@link printHtmlToPdf}. */
export function chromiumPrinter(options: Omit<PrintOptions, 'overwrite'> = {}): PdfPrinter {
  return (html, pdfPath) => printHtmlToPdf(html, pdfPath, { ...options, overwrite: true });
}
