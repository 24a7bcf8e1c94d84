/** The main window: isolated, sandboxed, no Node in the renderer, loading only the app's own pages. */
import { BrowserWindow } from 'electron';
import { fileURLToPath } from 'node:url';

export const APP_ORIGIN = 'landwatch://app';

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'LandWatch',
    backgroundColor: '#1f2329',
    show: false,
    webPreferences: {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}
