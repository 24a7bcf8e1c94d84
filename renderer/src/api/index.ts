/**
 * Picks the transport: the Electron preload's `window.landwatch` when present, else HTTP to the
 * server that served this page.
 */
import type { LandWatchApi } from '../../../electron/common/contract.js';
import { createHttpApi } from './http.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser. */
    landwatch?: LandWatchApi;
  }
}

export type Transport = 'electron' | 'http';

/** Which transport {@link getApi} uses in this window. */
export function getTransport(): Transport {
  return window.landwatch ? 'electron' : 'http';
}

let httpApi: LandWatchApi | null = null;

/** The API for this window; the HTTP transport is created once and shared. */
export function getApi(): LandWatchApi {
  if (window.landwatch) return window.landwatch;
  httpApi ??= createHttpApi();
  return httpApi;
}
