/**
 * Starts a worker thread from a script that sits next to the module asking for it: the bundled
 * `.js` in dist/ (where every bundle shares one folder), or in tests and development the `.ts`
 * source through tsx's loader, registered inside the worker because loader flags passed in
 * execArgv do not reach a worker's entry module on Node 20.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts worker script `name` found next to `base` (the caller's `import.meta.url`), with the V8
 * heap limits given, if any.
 */
export function startWorker(
  name: string,
  data: unknown,
  base: string,
  resourceLimits?: ResourceLimits,
): Worker {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: data, resourceLimits });
  const ts = new URL(`./${name}.ts`, base).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits });
}
