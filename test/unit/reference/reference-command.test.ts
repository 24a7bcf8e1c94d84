/**
 * `landwatch reference import|list|remove` on a test project: the layer is imported with its
 * overlaps, listed, removed, and bad input is refused with one clear message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runReferenceCommand } from '../../../electron/cli/reference-command.js';
import { detection, newRun, rectRing, tempProject } from '../store/fixtures.js';

let project: string;
let layerFile: string;

beforeAll(() => {
  const { store, path, dir } = tempProject('cli');
  store.addRun(newRun(), [detection(0, 0, 10, 10), detection(50, 50, 60, 60)]);
  store.close();
  project = path;
  layerFile = join(dir, '基本农田.geojson');
  writeFileSync(
    layerFile,
    JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'EPSG:32650' } },
      features: [
        {
          type: 'Feature',
          properties: { dlmc: '水田' },
          geometry: { type: 'Polygon', coordinates: [rectRing(5, 0, 30, 10)] },
        },
      ],
    }),
  );
});
afterAll(() => vi.restoreAllMocks());

async function run(...args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await runReferenceCommand(args), stdout };
  } finally {
    spy.mockRestore();
  }
}

describe('landwatch reference', () => {
  it('imports, lists and removes a layer', async () => {
    const imported = await run(
      'import',
      '--project',
      project,
      '--file',
      layerFile,
      '--kind',
      'farmland_protection',
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /layer 1 "基本农田" \(farmland_protection\), 1 features from EPSG:32650; 1 patches overlap it/,
    );
    const listed = await run('list', '--project', project);
    expect(listed.stdout).toBe(
      '1\tfarmland_protection\t1\tEPSG:32650\t基本农田\t基本农田.geojson\n',
    );
    expect((await run('remove', '--project', project, '--layer', '1')).code).toBe(0);
    expect((await run('list', '--project', project)).stdout).toBe('');
  });

  it.each([
    [['import', '--project', 'p.landwatch'], /--file is required/],
    [['drop', '--project', 'p.landwatch'], /choose import, list or remove/],
    [['list'], /--project is required/],
  ])('refuses %j', async (args, message) => {
    await expect(runReferenceCommand(args)).rejects.toThrow(message);
  });

  it('refuses an unknown kind and a missing layer', async () => {
    await expect(
      runReferenceCommand(['import', '--project', project, '--file', layerFile, '--kind', 'roads']),
    ).rejects.toThrow(/--kind roads: choose approved_construction/);
    await expect(
      runReferenceCommand(['remove', '--project', project, '--layer', '9']),
    ).rejects.toThrow(/No reference layer 9/);
  });
});
