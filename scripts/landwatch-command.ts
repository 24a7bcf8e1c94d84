/**
 * How `landwatch` starts (`npx landwatch`, the npm bin): node with the flags on bin/landwatch.js's
 * shebang line, then the script. Benches spawn the CLI this way so they measure what users run.
 */
import { readFileSync } from 'node:fs';

const BIN = 'bin/landwatch.js';

/** Node's arguments for `landwatch <args>`: the shebang's node flags, the bin, then `args`. */
export function landwatchArgs(args: string[]): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  const words = first.replace(/^#!\s*/, '').split(/\s+/);
  const flags = words.slice(words.indexOf('node') + 1);
  return [...flags, BIN, ...args];
}
