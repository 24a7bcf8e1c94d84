/**
 * How `landwatch` starts: bin/landwatch.js's shebang (`env -S NAME=value … node --flags`) gives the
 * process its malloc tuning and V8 flags, and the benches spawn the CLI with the same environment
 * and flags (scripts/landwatch-command.ts), so they measure what users run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { landwatchArgs, landwatchEnv } from '../../../scripts/landwatch-command.js';

const shebang = readFileSync('bin/landwatch.js', 'utf8').split('\n', 1)[0];

describe('landwatch command line', () => {
  it('spawns node with the shebang flags, then the bin and the arguments', () => {
    const args = landwatchArgs(['detect', '--stats']);
    expect(args.slice(-3)).toEqual(['bin/landwatch.js', 'detect', '--stats']);
    expect(args).toContain('--max-semi-space-size=8');
    expect(args.some((a) => a.includes('='))).toBe(true);
    // The environment assignments are not node arguments.
    expect(args.some((a) => a.startsWith('GLIBC_TUNABLES'))).toBe(false);
  });

  it("gives the spawned CLI the shebang's environment over the caller's", () => {
    const env = landwatchEnv({ KEEP: 'yes', GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' });
    expect(env.KEEP).toBe('yes');
    expect(env.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1');
  });

  it.runIf(process.platform === 'linux')(
    'runs a script with that environment and those flags when executed as users run it',
    () => {
      // The shebang line itself, on a script that reports what it got.
      const dir = mkdtempSync(join(tmpdir(), 'lw-shebang-'));
      const script = join(dir, 'probe.mjs');
      writeFileSync(
        script,
        `${shebang}\nconsole.log(JSON.stringify({ t: process.env.GLIBC_TUNABLES, a: process.execArgv }));\n`,
      );
      chmodSync(script, 0o755);
      const run = spawnSync(script, [], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const got = JSON.parse(run.stdout) as { t: string; a: string[] };
      expect(got.t).toBe(landwatchEnv({}).GLIBC_TUNABLES);
      expect(got.a).toEqual(landwatchArgs([]).slice(0, -1));
    },
  );
});
