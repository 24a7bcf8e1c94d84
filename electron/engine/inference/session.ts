/**
 * ONNX Runtime sessions on the best execution provider available: the user's choice, or for "auto"
 * the GPU providers this platform can have, then CPU. A provider that fails to start is skipped with
 * its reason recorded, so the UI and the CLI can say which one ran and why the others did not.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';

export interface ModelSession {
  session: ort.InferenceSession;
  /** The provider that started: cpu, webgpu, cuda, dml or coreml. */
  executionProvider: string;
  /** Providers tried before it and why they did not start. */
  fallbacks: { provider: string; reason: string }[];
  dispose(): Promise<void>;
}

/** Providers worth trying for "auto", best first, on this platform. */
export function autoOrder(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

/** Providers compiled into this onnxruntime-node build (CUDA needs an extra install step). */
export function availableProviders(): string[] {
  const listed = ort.listSupportedBackends().map((b) => b.name);
  return [...new Set(listed)];
}

export async function createModelSession(
  onnxPath: string,
  device: Device,
  log: (line: string) => void = () => {},
): Promise<ModelSession> {
  const order = device === 'auto' ? autoOrder() : [device];
  const fallbacks: { provider: string; reason: string }[] = [];
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(onnxPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // Failed provider starts are reported through `fallbacks`, not ORT's own stderr logging.
        logSeverityLevel: 3,
      });
      if (fallbacks.length > 0) {
        log(`execution provider: ${provider} (skipped ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')})`);
      }
      return {
        session,
        executionProvider: provider,
        fallbacks,
        dispose: () => session.release(),
      };
    } catch (error) {
      const reason = shortReason(error);
      fallbacks.push({ provider, reason });
      if (device !== 'auto') {
        throw new LandWatchError('E_EP', `Execution provider "${provider}" could not start: ${reason}`, { cause: error });
      }
    }
  }
  throw new LandWatchError(
    'E_EP',
    `No execution provider could run ${onnxPath}: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`,
  );
}

function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/adapter/i.test(text)) return 'no WebGPU adapter (no GPU or no Vulkan/Metal/D3D12 driver)';
  if (/Failed to load (shared )?library|providers_cuda|libcudart|libcublas/i.test(text)) {
    return 'CUDA libraries not installed (npm install --onnxruntime-node-install=cuda12)';
  }
  if (/backend not found|no available backend/i.test(text)) return 'not available in this build or on this platform';
  return text.split('\n')[0].slice(0, 200);
}
