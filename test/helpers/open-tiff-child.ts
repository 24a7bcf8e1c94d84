/**
 * Child process of the TIFF fuzz test: opens each file given on stdin (one JSON case a line) the
 * way `detect` does — RasterSource.open, then openInputs with a healthy before date, then every
 * window of both dates as the tile runner reads them — and prints one JSON line per case: success,
 * or the LandWatchError's code and message, or (a failure of the test) any other error's stack.
 * A separate process, so the parent can kill a case that hangs.
 */
import { createInterface } from 'node:readline';
import { LandWatchError } from '../../electron/engine/errors.js';
import { openInputs } from '../../electron/engine/inference/detect-inputs.js';
import { RasterSource } from '../../electron/engine/raster/raster-source.js';

async function readAll(
  reader: Pick<RasterSource, 'readWindow'>,
  width: number,
  height: number,
  bands: number[],
): Promise<void> {
  for (let y = 0; y < height; y += 64)
    for (let x = 0; x < width; x += 64)
      await reader.readWindow({ x, y, width: 64, height: 64 }, bands);
}

async function run(path: string, seed: string): Promise<void> {
  const source = await RasterSource.open(path);
  try {
    const { width, height, bands } = source.info;
    await readAll(
      source,
      width,
      height,
      Array.from({ length: bands }, (_, b) => b),
    );
  } finally {
    source.close();
  }
  const inputs = await openInputs({ beforePath: seed, afterPath: path } as never);
  try {
    const { width, height } = inputs.alignment;
    for (const date of inputs.dates) await readAll(date.source, width, height, date.bands);
  } finally {
    inputs.close();
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { i, path, seed } = JSON.parse(line) as { i: number; path: string; seed: string };
  const start = performance.now();
  let result: Record<string, unknown>;
  try {
    await run(path, seed);
    result = { ok: true };
  } catch (error) {
    result =
      error instanceof LandWatchError
        ? { ok: false, code: error.code, message: error.message }
        : {
            ok: false,
            crash: error instanceof Error ? (error.stack ?? error.message) : String(error),
          };
  }
  const ms = Math.round(performance.now() - start);
  process.stdout.write(`${JSON.stringify({ i, ms, rss: process.memoryUsage().rss, ...result })}\n`);
}
