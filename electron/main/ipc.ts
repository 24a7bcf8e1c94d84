/**
 * IPC transport of the API contract. One invoke channel carries every API call; the sender must be
 * the main window's top frame on the app's own origin. Results travel as { ok, value | error } so the
 * error code survives the trip (thrown errors lose their properties over IPC).
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Backend } from '../engine/api/backend.js';
import { toErrorBody } from '../engine/errors.js';
import { APP_ORIGIN } from './windows.js';

export const API_CHANNEL = 'landwatch:api';
export const EVENT_CHANNEL = 'landwatch:event';

export function setupIpc(backend: Backend, window: () => BrowserWindow | null): void {
  ipcMain.handle(
    API_CHANNEL,
    async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown) => {
      const win = window();
      const frame = event.senderFrame;
      if (
        !win ||
        event.sender !== win.webContents ||
        !frame ||
        frame !== win.webContents.mainFrame ||
        !frame.url.startsWith(`${APP_ORIGIN}/`)
      ) {
        return {
          ok: false,
          error: { code: 'E_BAD_REQUEST', message: 'Request from an unexpected sender.' },
        };
      }
      if (typeof channel !== 'string')
        return { ok: false, error: { code: 'E_BAD_REQUEST', message: 'Missing channel.' } };
      try {
        return { ok: true, value: await backend.handle(channel, payload) };
      } catch (error) {
        return { ok: false, error: toErrorBody(error) };
      }
    },
  );
  backend.onEvent((event) => window()?.webContents.send(EVENT_CHANNEL, event));
}
