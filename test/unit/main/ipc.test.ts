/**
 * The Electron IPC transport, with electron itself replaced by a stand-in: only the main window's
 * top frame on the app origin is answered, payloads are validated by the backend, and errors come
 * back as { ok: false, error: { code, message } }.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, channel: unknown, payload: unknown) => Promise<unknown>;
const handlers = new Map<string, Handler>();

vi.mock('electron', () => ({
  ipcMain: { handle: (name: string, fn: Handler) => handlers.set(name, fn) },
}));

const { setupIpc, API_CHANNEL, EVENT_CHANNEL } = await import('../../../electron/main/ipc.js');

function fakeWindow() {
  const mainFrame = { url: 'landwatch://app/index.html' };
  const sent: unknown[][] = [];
  const webContents = { mainFrame, send: (...args: unknown[]) => sent.push(args) };
  return { webContents, sent };
}

describe('IPC transport', () => {
  let win: ReturnType<typeof fakeWindow>;
  let handle: ReturnType<typeof vi.fn>;
  let emit: (e: unknown) => void = () => {};

  beforeEach(() => {
    handlers.clear();
    win = fakeWindow();
    handle = vi.fn(async (channel: string) => {
      if (channel === 'boom')
        throw Object.assign(new Error('bad payload'), {
          name: 'LandWatchError',
          code: 'E_BAD_REQUEST',
        });
      return { channel };
    });
    const backend = { handle, onEvent: (l: (e: unknown) => void) => ((emit = l), () => {}) };
    setupIpc(backend as never, () => win as never);
  });

  const call = (sender: unknown, frame: unknown, channel: unknown, payload: unknown = {}) =>
    handlers.get(API_CHANNEL)?.({ sender, senderFrame: frame }, channel, payload);

  it('answers the main window', async () => {
    await expect(call(win.webContents, win.webContents.mainFrame, 'app.info')).resolves.toEqual({
      ok: true,
      value: { channel: 'app.info' },
    });
    expect(handle).toHaveBeenCalledWith('app.info', {});
  });

  it('refuses other senders and frames without calling the backend', async () => {
    const other = fakeWindow();
    await expect(
      call(other.webContents, other.webContents.mainFrame, 'app.info'),
    ).resolves.toMatchObject({ ok: false });
    await expect(
      call(win.webContents, { url: 'landwatch://app/index.html' }, 'app.info'),
    ).resolves.toMatchObject({ ok: false });
    win.webContents.mainFrame.url = 'https://example.com/';
    await expect(
      call(win.webContents, win.webContents.mainFrame, 'app.info'),
    ).resolves.toMatchObject({ ok: false });
    expect(handle).not.toHaveBeenCalled();
  });

  it('returns errors with their message', async () => {
    const reply = (await call(win.webContents, win.webContents.mainFrame, 'boom')) as {
      ok: boolean;
      error: { message: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error.message).toBe('bad payload');
  });

  it('forwards backend events to the window', () => {
    emit({ type: 'job.cancelled', jobId: 'j', projectId: 'p' });
    expect(win.sent).toEqual([
      [EVENT_CHANNEL, { type: 'job.cancelled', jobId: 'j', projectId: 'p' }],
    ]);
  });
});
