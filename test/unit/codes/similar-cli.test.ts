/**
 * `landwatch similar` on a project file: bad input gets one line naming the problem and exit 2;
 * with the shipped code model, a table of the nearest patches (codes computed and stored first).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../electron/cli/landwatch.js';
import { ensureDemoProject } from '../../../electron/engine/api/demo-project.js';
import { DEMO_ORIGIN } from '../../../resources/demo/demo-scene.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';
import { newRun } from '../store/fixtures.js';
import { boxDetection } from './fixtures.js';

let out = '';
let err = '';

beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('landwatch similar', () => {
  it('names what is wrong with the arguments', async () => {
    expect(await main(['similar'])).toBe(2);
    expect(err).toMatch(/similar: give a project file and a patch number/);
    expect(await main(['similar', 'p.landwatch', '0'])).toBe(2);
    expect(err).toMatch(/"0" is not a patch number/);
    expect(await main(['similar', 'p.landwatch', '3', '--limit', '9999'])).toBe(2);
    expect(err).toMatch(/--limit 9999: give a whole number from 1 to 500/);
    expect(await main(['similar', '/nonexistent/p.landwatch', '3'])).toBe(2);
    expect(err).toMatch(/p.landwatch: project file not found/);
  });

  it('prints the nearest patches of a demo project', async () => {
    process.env.LANDWATCH_HOME = mkdtempSync(join(tmpdir(), 'lw-similar-'));
    const path = await ensureDemoProject(undefined, 'synthetic');
    const store = ProjectStore.open(path);
    const [ox, oy] = DEMO_ORIGIN;
    const rect = (dx: number) => boxDetection(ox + 300 + dx, oy - 300, ox + 315 + dx, oy - 285);
    store.addRun(newRun(), [rect(0), rect(40), rect(80)]);
    store.close();
    expect(await main(['similar', path, '1', '--limit', '2', '--states', 'unreviewed'])).toBe(0);
    expect(out).toMatch(/patch #1 \(unreviewed, 225 m²\), model lw-patchcode-v1/);
    expect(out).toMatch(/rank\s+patch\s+distance\s+state/);
    expect(out.trim().split('\n')).toHaveLength(4); // title, header, two rows
    expect(await main(['similar', path, '7'])).toBe(2);
    expect(err).toMatch(/has no patch #7/);
    expect(await main(['similar', path, '1', '--states', 'done'])).toBe(2);
    expect(err).toMatch(/"done" is not a state/);
  });
});
