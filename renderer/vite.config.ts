// Vite build of the LandWatch renderer. Run from the repository root:
//   npx vite build --config renderer/vite.config.ts
// The output in dist/renderer/ is loaded by Electron main and served by `landwatch serve`, so every
// URL in it is relative (base './'). The dev server is not CSP-clean (it injects inline <style>);
// the built bundle is.
import { defineConfig } from 'vite';

const rendererDir = import.meta.dirname;

export default defineConfig({
  root: rendererDir,
  base: './',
  publicDir: false,
  build: {
    outDir: `${rendererDir}/../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // OpenLayers + geotiff.js are big but load from disk or localhost; one warning level up.
    chunkSizeWarningLimit: 1500,
  },
  server: { strictPort: true },
});
