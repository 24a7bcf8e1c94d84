/**
 * Evidence reports printed to PDF by Electron's own Chromium: the report HTML is written to a
 * private temporary folder, loaded into a hidden, sandboxed window with JavaScript off, and
 * printed with `webContents.printToPDF`. The window and the folder are gone afterwards, whatever
 * happens.
 */
import { BrowserWindow } from 'electron';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomically } from '../engine/export/output-files.js';
import type { PdfPrinter } from '../engine/report/pdf.js';

export const electronPdfPrinter: PdfPrinter = async (html, pdfPath) => {
  const dir = mkdtempSync(join(tmpdir(), 'landwatch-report-'));
  const htmlPath = join(dir, 'report.html');
  writeFileSync(htmlPath, html, 'utf8');
  const win = new BrowserWindow({
    show: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
    },
  });
  try {
    await win.loadFile(htmlPath);
    const pdf = await win.webContents.printToPDF({
      pageSize: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
    });
    writeFilesAtomically([{ path: pdfPath, data: pdf }]);
    return pdfPath;
  } finally {
    win.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
};
