/** The desktop host: native open/save dialogs and the app protocol's file URLs. */
import { dialog, type BrowserWindow } from 'electron';
import type { Host } from '../engine/api/backend.js';
import { electronPdfPrinter } from './pdf-printer.js';
import { createTeamWindow } from './windows.js';

/** The one path the user picks in an open dialog, or null when cancelled. */
async function openOne(
  win: BrowserWindow | null,
  options: Electron.OpenDialogOptions,
): Promise<string | null> {
  const result = win
    ? await dialog.showOpenDialog(win, options)
    : await dialog.showOpenDialog(options);
  return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
}

export function electronHost(window: () => BrowserWindow | null): Host {
  return {
    transport: 'electron',
    pdfPrinter: electronPdfPrinter,
    pickImage: async (role) => {
      const options = {
        title: `Choose the ${role} image`,
        properties: ['openFile' as const],
        filters: [{ name: 'GeoTIFF', extensions: ['tif', 'tiff'] }],
      };
      return openOne(window(), options);
    },
    pickModelFolder: async () => {
      const options = {
        title: 'Choose a model folder (card.json + ONNX file)',
        properties: ['openDirectory' as const],
      };
      return openOne(window(), options);
    },
    pickProject: async () => {
      const options = {
        title: 'Open a LandWatch project',
        properties: ['openFile' as const],
        filters: [{ name: 'LandWatch project', extensions: ['landwatch'] }],
      };
      return openOne(window(), options);
    },
    pickVectorFile: async () => {
      const options = {
        title: 'Import a reference layer',
        properties: ['openFile' as const],
        filters: [
          { name: 'Vector layers', extensions: ['shp', 'geojson', 'json', 'gpkg'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      return openOne(window(), options);
    },
    fileUrl: (token) => `landwatch://files/${token}`,
    openTeamWindow: async (origin) => {
      createTeamWindow(origin);
    },
    exportTarget: async (defaultName) => {
      const options = { title: 'Export changes', defaultPath: defaultName };
      const win = window();
      const result = win
        ? await dialog.showSaveDialog(win, options)
        : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return null;
      return { path: result.filePath, location: (path) => path };
    },
  };
}
