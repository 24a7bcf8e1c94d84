/**
 * The preload: exposes the API contract as `window.landwatch` (named operations only, never
 * ipcRenderer itself). Runs sandboxed with context isolation.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, LandWatchApi } from '../common/contract.js';

const API_CHANNEL = 'landwatch:api';
const EVENT_CHANNEL = 'landwatch:event';

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

const api: LandWatchApi = {
  invoke: async (channel, request) => {
    const reply = (await ipcRenderer.invoke(API_CHANNEL, channel, request)) as Reply;
    if (!reply.ok) {
      // contextBridge keeps only an Error's message, so the code travels inside it too.
      throw new Error(`[${reply.error.code}] ${reply.error.message}`);
    }
    return reply.value as never;
  },
  onEvent: (listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('landwatch', api);
