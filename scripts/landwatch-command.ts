/**
 * How `landwatch` starts (`npx landwatch`, the npm bin): node with the environment and flags on
 * bin/landwatch.js's shebang line (`#!/usr/bin/env -S NAME=value … node --flag …`), then the
 * script. Benches spawn the CLI this way so they measure what users run.
 */
import { readFileSync } from 'node:fs';

const BIN = 'bin/landwatch.js';

/** The shebang's words after `env -S`: its NAME=value assignments, then node and its flags. */
function shebangWords(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  return first
    .replace(/^#!\s*/, '')
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** Node's arguments for `landwatch <args>`: the shebang's node flags, the bin, then `args`. */
export function landwatchArgs(args: string[]): string[] {
  const words = shebangWords();
  const flags = words.slice(words.indexOf('node') + 1);
  return [...flags, BIN, ...args];
}

/** The environment `landwatch` runs in: `base` with the shebang's assignments over it. */
export function landwatchEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const words = shebangWords();
  const env = { ...base };
  for (const w of words.slice(0, words.indexOf('node'))) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
    if (m) env[m[1]] = m[2];
  }
  return env;
}
