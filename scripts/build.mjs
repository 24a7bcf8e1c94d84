// Builds what the app runs: the Node-side bundles (CLI, detection worker, Electron main and
// preload) with esbuild, and the renderer with Vite. Runs on `npm install` (prepare) and `npm run build`.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
};

// Chunks of an earlier build (their names carry a hash) would otherwise pile up.
const out = `${root}dist/node`;
const stale = existsSync(out) ? readdirSync(out).filter((name) => name.startsWith('chunk-')) : [];
for (const name of stale) rmSync(`${out}/${name}`);

await Promise.all([
  build({
    ...common,
    format: 'esm',
    // Commands the CLI imports when they run go to chunks of their own (landwatch.ts), in the
    // same folder so paths taken from import.meta.url stay the same.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    entryPoints: {
      landwatch: 'electron/cli/landwatch.ts',
      'detect-worker': 'electron/engine/jobs/detect-worker.ts',
      'adapt-worker': 'electron/engine/jobs/adapt-worker.ts',
      'session-worker': 'electron/engine/inference/session-worker.ts',
      'block-worker': 'electron/engine/jobs/block-worker.ts',
      'follow-worker': 'electron/engine/inference/follow-worker.ts',
      main: 'electron/main/main.ts',
    },
    outdir: 'dist/node',
    external: ['electron'],
  }),
  build({
    ...common,
    format: 'cjs',
    entryPoints: { preload: 'electron/preload/preload.ts' },
    outdir: 'dist/node',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);
await viteBuild({ configFile: `${root}renderer/vite.config.ts`, logLevel: 'warn' });
console.log('build: dist/node and dist/renderer ready');
