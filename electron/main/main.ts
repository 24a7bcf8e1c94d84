/**
 * Electron main process: a list of setup steps. Everything heavy lives in the Electron-free engine;
 * this layer only adds windows, native dialogs, IPC and the app's own protocol.
 */
import type { BrowserWindow } from 'electron';
import { app } from 'electron';
import { join } from 'node:path';
import { Backend } from '../engine/api/backend.js';
import { electronHost } from './host.js';
import { setupIpc } from './ipc.js';
import { registerSchemes, setupProtocol } from './protocol.js';
import { createMainWindow } from './windows.js';

registerSchemes();
if (app.isPackaged) process.env.LANDWATCH_MODELS ??= join(process.resourcesPath, 'models');
if (app.isPackaged) process.env.LANDWATCH_DEMO ??= join(process.resourcesPath, 'demo');

let backend: Backend | null = null;

async function onReady(): Promise<void> {
  let window: BrowserWindow | null = null;
  backend = new Backend(electronHost(() => window));
  setupProtocol(backend);
  setupIpc(backend, () => window);
  window = createMainWindow();
  window.on('closed', () => {
    window = null;
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // The app's own window never navigates; a team window stays on its server (windows.ts).
  contents.on('will-navigate', (event, url) => {
    const page = contents.getURL();
    if (!page.startsWith('http') || new URL(url).origin !== new URL(page).origin)
      event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('window-all-closed', () => {
  void backend?.dispose();
  app.quit();
});

app.whenReady().then(onReady, (error: unknown) => {
  console.error('LandWatch failed to start:', error);
  app.exit(1);
});
