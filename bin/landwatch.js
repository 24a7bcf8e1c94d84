#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1 node --max-semi-space-size=8 --max-inlined-bytecode-size-cumulative=300 --no-concurrent-osr
// The `landwatch` command: runs the built CLI bundle (made by `npm run build`, which `npm install` runs).
// --max-semi-space-size=8: V8 keeps doubling the young generation of a long run (a county's
// detection, a round worker) up to 16 MB semi-spaces; 8 MB ones are where short runs settle anyway,
// and the cap keeps a 16384² sweep's heap at ~34 MB instead of ~50 (the engine's job threads get the
// same cap: JOB_THREAD_LIMITS in electron/engine/jobs/worker-job.ts).
// --max-inlined-bytecode-size-cumulative=300 (V8's default 920): optimising compiles in a
// detection's three threads took ~1.2-1.4 s of CPU (--trace-opt) on a 2-core machine, about as much
// as the model in a 4096² screened run; inlining less, a screened 4096² detection took 1.41-1.42 s
// against 1.50 s (6 alternating pairs, twice; 150 and 500 were slower than 300), a full sweep the
// same 4.70 s (8 pairs), and `npm run bench:prep` prepared 8192² tiles in no more CPU.
// GLIBC_TUNABLES (glibc's malloc on Linux; ignored elsewhere): hugetlb=1 backs malloc's large
// blocks and heaps with transparent huge pages (madvise), so ONNX Runtime's arena, tiles and blocks
// fault in 2 MB at a time instead of 4 kB (first touching fresh memory cost ~2.7 ms per MB on the
// 2-core bench VM); arena_max=1 keeps every thread on one malloc arena, without which huge pages
// left the 16384² full sweep's peak ~45 MB higher (513-515 MB against 460-494).
// 4096² screened 1.42 -> 1.30 s in alternating runs; 16384² full sweeps did not separate (README).
// --no-concurrent-osr: a hot loop (blending, normalising, reading a tile) is compiled for on-stack
// replacement on its own thread at once instead of on a background thread that a busy 2-core
// machine starves while the loop goes on in the interpreter (allocating a heap number for every
// float: ~150 MB of garbage in a 4096² screened run, ~110 MB with this flag). 4096² screened
// 1.37 -> 1.26 s (10 alternating pairs), full sweep the same (3.98 against 4.01 s, 4 pairs).
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
