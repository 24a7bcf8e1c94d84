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

/**
 * A team server's own page in a window of its own: the server's web app (login, team projects)
 * over its HTTP transport. No preload (it reaches nothing of this machine), sandboxed, in a
 * session of its own per server so its login cookie stays with it; navigation away from that
 * server's origin is refused, as are new windows (the app-wide handlers in main.ts).
 */
export function createTeamWindow(origin: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: `LandWatch team — ${new URL(origin).host}`,
    backgroundColor: '#1f2329',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      partition: `persist:team-${new URL(origin).host.replace(/[^\w.-]/g, '_')}`,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${origin}/`);
  return window;
}
