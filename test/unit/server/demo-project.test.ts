/**
 * The shipped demo: on first start it is copied from resources/demo (no shared data needed) and
 * opened in the Swiss grid with its true changes and licence next to it; an older demo in the
 * data folder (the synthetic squares, or another version) is replaced; a missing shipped file is
 * one clear message.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_FILES,
  copyBundledDemo,
  ensureDemoProject,
} from '../../../electron/engine/api/demo-project.js';
import { ProjectStore } from '../../../electron/engine/store/project-store.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'lw-demo-'));

afterEach(() => {
  delete process.env.LANDWATCH_DEMO;
});

describe('the shipped demo project', () => {
  it('is copied with its true changes and licence and opens in EPSG:2056', async () => {
    const dir = fresh();
    const path = await ensureDemoProject(dir);
    for (const name of Object.values(DEMO_FILES)) expect(existsSync(join(dir, name))).toBe(true);
    const store = ProjectStore.open(path);
    try {
      expect(store.name).toMatch(/real aerial photo/);
      expect(store.scene('before')).toMatchObject({ epsg: 2056, width: 800, height: 800 });
      expect(store.scene('after').acquired).toBe('2024-05-02');
    } finally {
      store.close();
    }
    const truth = JSON.parse(readFileSync(join(dir, DEMO_FILES.truth), 'utf8')) as {
      features: { properties: { kind: string } }[];
    };
    expect(truth.features.map((f) => f.properties.kind).sort()).toEqual([
      'demolition',
      'earthwork',
      'new_building',
      'new_building',
      'new_building',
      'new_road',
    ]);
    expect(readFileSync(join(dir, DEMO_FILES.licence), 'utf8')).toMatch(/swisstopo/);
    // Reused as long as it is this version's demo.
    expect(await ensureDemoProject(dir)).toBe(path);
  });

  it('replaces an older demo (other metadata) in the data folder', async () => {
    const dir = fresh();
    await ensureDemoProject(dir, 'synthetic'); // the squares, as older versions made them
    let store = ProjectStore.open(join(dir, 'demo.landwatch'));
    expect(store.scene('before').epsg).toBe(32650);
    store.close();
    const path = await ensureDemoProject(dir);
    store = ProjectStore.open(path);
    expect(store.scene('before').epsg).toBe(2056);
    store.close();
    writeFileSync(join(dir, DEMO_FILES.meta), '{}');
    await ensureDemoProject(dir);
    expect(readFileSync(join(dir, DEMO_FILES.meta), 'utf8')).not.toBe('{}');
  });

  it('names the missing file when the installation lacks the demo', () => {
    process.env.LANDWATCH_DEMO = fresh();
    expect(() => copyBundledDemo(fresh())).toThrow(
      /demo's demo-before-2023-04-18\.tif is missing from .*: reinstall LandWatch/,
    );
  });
});
