/**
 * "Open team server…": what a typed address becomes, what is refused and why, and what the
 * desktop backend does with it (a window of its own where the host has one, else the page goes).
 */
import { describe, expect, it } from 'vitest';
import { Backend, type Host } from '../../../electron/engine/api/backend.js';
import { teamServerOrigin } from '../../../electron/engine/team/team-server-url.js';

describe('team server address', () => {
  it('keeps the origin of an https address, and takes a bare host as https', () => {
    expect(teamServerOrigin(' https://lw.county.example:5174/some/page?x=1 ')).toBe(
      'https://lw.county.example:5174',
    );
    expect(teamServerOrigin('lw.county.example:5174')).toBe('https://lw.county.example:5174');
    expect(teamServerOrigin('http://127.0.0.1:5300/')).toBe('http://127.0.0.1:5300');
    expect(teamServerOrigin('http://localhost:5300')).toBe('http://localhost:5300');
  });

  it('refuses plain http beyond this machine unless the user says the network is trusted', () => {
    expect(() => teamServerOrigin('http://10.1.2.3:5174')).toThrow(/not encrypted \(http\)/);
    expect(teamServerOrigin('http://10.1.2.3:5174', true)).toBe('http://10.1.2.3:5174');
  });

  it('refuses other schemes, credentials in the address and non-addresses, one line each', () => {
    expect(() => teamServerOrigin('file:///etc/passwd')).toThrow(/file: addresses are not team/);
    expect(() => teamServerOrigin('https://anna:secret@lw.example')).toThrow(
      /Leave the user name and password out/,
    );
    expect(() => teamServerOrigin('http://')).toThrow(/is not a server address/);
  });
});

describe('team.openServer on the desktop backend', () => {
  const host = (opened: string[] | null): Host => ({
    transport: opened ? 'electron' : 'http',
    pickImage: async () => null,
    pickModelFolder: async () => null,
    fileUrl: (t) => `/files/${t}`,
    exportTarget: async () => null,
    ...(opened ? { openTeamWindow: async (origin: string) => void opened.push(origin) } : {}),
  });

  it('opens a window of its own where the host has one, else tells the page where to go', async () => {
    const windows: string[] = [];
    const desktop = new Backend(host(windows));
    expect(await desktop.handle('team.openServer', { url: 'https://lw.example:5174/x' })).toEqual({
      url: 'https://lw.example:5174',
      opened: true,
    });
    expect(windows).toEqual(['https://lw.example:5174']);
    const served = new Backend(host(null));
    expect(await served.handle('team.openServer', { url: 'lw.example' })).toEqual({
      url: 'https://lw.example',
      opened: false,
    });
    await expect(served.handle('team.openServer', { url: 'ftp://lw.example' })).rejects.toThrow(
      /not team servers/,
    );
    await desktop.dispose();
    await served.dispose();
  });
});
