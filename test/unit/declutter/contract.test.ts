/**
 * The clean-up option through the contract: detect.start accepts `declutter` per date, refuses
 * malformed values with the field named, and the backend hands the option to the detection job
 * unchanged (the job itself is replaced here by a recorder; declutter.test.ts runs the engine);
 * the CLI refuses a bad --declutter value.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contract, type ProjectView } from '../../../electron/common/contract.js';
import { runDetectCommand } from '../../../electron/cli/detect-command.js';
import type { DetectParams } from '../../../electron/engine/inference/detect.js';
import { testHost } from '../../helpers/host.js';

const started: DetectParams[] = [];
vi.mock('../../../electron/engine/jobs/run-detect-job.js', () => ({
  runDetectJob: (params: DetectParams) => {
    started.push(params);
    return new Promise(() => {}); // never finishes: only the hand-over is under test
  },
}));

const { Backend } = await import('../../../electron/engine/api/backend.js');

const home = mkdtempSync(join(tmpdir(), 'lw-declutter-contract-'));
let backend: InstanceType<typeof Backend>;
let project: ProjectView;

beforeAll(async () => {
  process.env.LANDWATCH_HOME = home;
  backend = new Backend(testHost(home));
  project = (await backend.handle('project.openDemo', {})) as ProjectView;
});
afterAll(async () => backend.dispose());

describe('detect.start declutter', () => {
  const schema = contract['detect.start'].request;

  it('parses per-date choices and leaves the option out when absent', () => {
    expect(schema.parse({ projectId: 'p', declutter: { after: true } }).declutter).toEqual({
      after: true,
    });
    expect(schema.parse({ projectId: 'p' }).declutter).toBeUndefined();
  });

  it('refuses malformed choices', () => {
    expect(schema.safeParse({ projectId: 'p', declutter: { after: 'yes' } }).success).toBe(false);
    expect(schema.safeParse({ projectId: 'p', declutter: { middle: true } }).success).toBe(false);
  });

  it('reaches the detection job through the backend', async () => {
    await backend.handle('detect.start', {
      projectId: project.id,
      device: 'cpu',
      declutter: { before: true, after: false },
    });
    expect(started.at(-1)?.declutter).toEqual({ before: true, after: false });
    await backend.handle('detect.start', { projectId: project.id, device: 'cpu' });
    expect(started.at(-1)?.declutter).toBeUndefined();
  });
});

describe('landwatch detect --declutter', () => {
  it('refuses anything but before, after or both, naming the option', async () => {
    const args = ['--before', 'a.tif', '--after', 'b.tif', '--out', join(home, 'x.gpkg')];
    await expect(runDetectCommand([...args, '--declutter', 'middle'])).rejects.toThrow(
      '--declutter middle: choose before, after or both.',
    );
  });
});
