/**
 * ONNX Runtime sessions on the best execution provider available: the user's choice, or for "auto"
 * the GPU providers this platform can have, then CPU. A provider that fails to start is skipped with
 * its reason recorded, so the UI and the CLI can say which one ran and why the others did not.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Device } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';

/** What the tile loop needs of a session: `run` (in this thread or another, session-thread.ts). */
export interface RunSession {
  run(
    feeds: ort.InferenceSession.FeedsType,
    fetches: readonly string[],
  ): Promise<ort.InferenceSession.ReturnType>;
  /**
   * Like run, but the inputs' buffers are moved to the model's thread instead of copied, and come
   * back with the outputs (`inputs`, in feed order) for reuse; the feeds' arrays are unusable
   * meanwhile. Only a runner in its own thread has it (session-thread.ts).
   */
  runLending?(
    feeds: ort.InferenceSession.FeedsType,
    fetches: readonly string[],
  ): Promise<{ outputs: ort.InferenceSession.ReturnType; inputs: ArrayBuffer[] }>;
  /**
   * Hands output buffers the caller is done with back to the model's thread, which fills later
   * outputs of the same size into them instead of new ones (a tile's output is MBs of garbage
   * otherwise). The buffers move: do not touch them afterwards. Only a runner in its own thread
   * has it.
   */
  recycle?(buffers: ArrayBuffer[]): void;
}

/** A started model: something to run tiles on, and which provider runs them. */
export interface ModelRunner {
  runner: RunSession;
  /** The provider that started: cpu, webgpu, cuda, dml or coreml. */
  executionProvider: string;
  /** Providers tried before it and why they did not start. */
  fallbacks: { provider: string; reason: string }[];
  dispose(): Promise<void>;
}

/** An in-process session: the runner is the ORT session itself. */
export interface ModelSession extends ModelRunner {
  session: ort.InferenceSession;
}

/**
 * How a session runs, chosen by measurement (`npm run bench:engine`): ORT's intra-op threads
 * (default: ORT's own choice, one per physical core) and whether the session lives in a thread of
 * its own so tile preparation overlaps the model (session-thread.ts).
 */
export interface SessionTuning {
  intraOpThreads?: number;
  thread?: boolean;
  /**
   * Whether ORT's idle intra-op threads spin (ORT's default) or sleep: spinning threads take the
   * core the next tile's preparation would use.
   */
  spin?: boolean;
  /**
   * Whether ORT keeps its CPU memory arena (ORT's default). Off, activations are allocated from
   * and freed to malloc per run.
   */
  arena?: boolean;
  /** Whether ORT plans each run's activations as one block (its memory patterns; ORT's default). */
  pattern?: boolean;
}

/**
 * One run with zero inputs of the shape the first tiles will have, done by a session thread as
 * soon as its session starts, while the caller still samples the imagery and builds the coarse
 * level. A session's first run at a shape takes ~3× its later ones (ONNX Runtime plans it and
 * grows its memory arena, whose fresh pages the system must hand over): 210–270 ms against 60–75
 * for a 576² tile on a 2-core machine.
 */
export interface WarmUp {
  inputs: { name: string; dims: number[] }[];
  fetches: string[];
}

/** Providers worth trying for "auto", best first, on this platform. */
export function autoOrder(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

/**
 * Providers this onnxruntime-node install can start: the bundled ones (CPU, WebGPU, DirectML on
 * Windows) plus CUDA/TensorRT once their libraries were installed next to the binding
 * (`npm install --onnxruntime-node-install=cuda12`). Whether a GPU is present is only known when a
 * session starts; see {@link createModelSession}.
 */
export function availableProviders(): string[] {
  const require = createRequire(import.meta.url);
  let bindingDir: string | null = null;
  try {
    const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
    bindingDir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    bindingDir = null;
  }
  const out: string[] = [];
  for (const b of ort.listSupportedBackends()) {
    const lib = `libonnxruntime_providers_${b.name}.so`;
    const installed = b.bundled || (bindingDir !== null && existsSync(join(bindingDir, lib)));
    if (installed && !out.includes(b.name)) out.push(b.name);
  }
  return out;
}

export async function createModelSession(
  onnxPath: string,
  device: Device,
  log: (line: string) => void = () => {},
  tuning: SessionTuning = {},
): Promise<ModelSession> {
  const order = device === 'auto' ? autoOrder() : [device];
  const fallbacks: { provider: string; reason: string }[] = [];
  // ORT logs a failed provider start on stderr itself; LandWatch reports it through `fallbacks`.
  ort.env.logLevel = 'fatal';
  const installed = availableProviders();
  for (const provider of order) {
    const missing = device === 'auto' ? missingPrerequisite(provider, installed) : null;
    if (missing) {
      fallbacks.push({ provider, reason: missing });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(onnxPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(tuning.intraOpThreads ? { intraOpNumThreads: tuning.intraOpThreads } : {}),
        ...(tuning.arena === false ? { enableCpuMemArena: false } : {}),
        ...(tuning.pattern === false ? { enableMemPattern: false } : {}),
        ...(tuning.spin === false
          ? { extra: { session: { intra_op: { allow_spinning: '0' } } } }
          : {}),
        // Failed provider starts are reported through `fallbacks`, not ORT's own stderr logging.
        logSeverityLevel: 3,
      });
      if (fallbacks.length > 0) {
        log(
          `execution provider: ${provider} (skipped ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')})`,
        );
      }
      return {
        session,
        runner: session,
        executionProvider: provider,
        fallbacks,
        dispose: () => session.release(),
      };
    } catch (error) {
      const reason = shortReason(error);
      fallbacks.push({ provider, reason });
      if (device !== 'auto') {
        throw new LandWatchError(
          'E_EP',
          `Execution provider "${provider}" could not start: ${reason}`,
          { cause: error },
        );
      }
    }
  }
  throw new LandWatchError(
    'E_EP',
    `No execution provider could run ${onnxPath}: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`,
  );
}

/**
 * Why "auto" need not even try a provider on this machine (trying costs time and makes the native
 * libraries print warnings): its libraries are not installed, or no GPU driver loader exists.
 */
function missingPrerequisite(provider: string, installed: string[]): string | null {
  if (provider === 'cpu') return null;
  if ((provider === 'cuda' || provider === 'tensorrt') && !installed.includes(provider)) {
    return 'CUDA libraries not installed (npm install --onnxruntime-node-install=cuda12)';
  }
  if (provider === 'webgpu' && process.platform === 'linux' && !hasVulkanLoader()) {
    return 'no Vulkan loader (libvulkan.so.1) for WebGPU';
  }
  return null;
}

/** Whether a Vulkan loader (libvulkan.so.1), which WebGPU needs on Linux, is installed. */
export function hasVulkanLoader(): boolean {
  const dirs = [
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  return [...extra, ...dirs].some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/adapter/i.test(text)) return 'no WebGPU adapter (no GPU or no Vulkan/Metal/D3D12 driver)';
  if (/Failed to load (shared )?library|providers_cuda|libcudart|libcublas/i.test(text)) {
    return 'CUDA libraries not installed (npm install --onnxruntime-node-install=cuda12)';
  }
  if (/backend not found|no available backend/i.test(text))
    return 'not available in this build or on this platform';
  return text.split('\n')[0].slice(0, 200);
}
