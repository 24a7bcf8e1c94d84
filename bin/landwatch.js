#!/usr/bin/env node
// The `landwatch` command: runs the built CLI bundle (made by `npm run build`, which `npm install` runs).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/node/landwatch.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'landwatch: error: the CLI is not built; run "npm run build" in the LandWatch folder.\n',
  );
  process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
