/**
 * Computes the codes of a project's patches that have none (or a stale one): chips by windowed
 * reads of both dates, batched ONNX runs of the patch-code model, codes stored in one transaction
 * per batch. Cancelling stops between batches; what was stored stays, and the next call codes
 * only what is still missing.
 */
import * as ort from 'onnxruntime-node';
import { LandWatchError } from '../errors.js';
import { createModelSession } from '../inference/session.js';
import type { ProjectStore } from '../store/project-store.js';
import type { CodeModel } from './code-model.js';
import { codeFromFloats, packNibbles } from './code-packing.js';
import { PatchCodeTable } from './code-table.js';
import { ChipReader, chipTensor } from './patch-chips.js';

export interface CodingOptions {
  signal?: AbortSignal;
  /** Called after every batch with the patches coded so far and how many needed a code. */
  onProgress?: (done: number, total: number) => void;
  /** Chip pairs per ONNX run; default 32. */
  batch?: number;
}

export interface CodingResult {
  /** Patches given a (new) code. */
  coded: number;
  seconds: number;
  /** Codes stored, each with its patch id (unpacked: one value a byte). */
  codes: { id: number; code: Uint8Array }[];
}

/**
 * Codes every live patch of `store` whose code is missing or stale.
 *
 * @example
 * const model = findCodeModel();
 * const { coded } = await codeStalePatches(store, model, { onProgress: (d, t) => log(`${d}/${t}`) });
 */
export async function codeStalePatches(
  store: ProjectStore,
  model: CodeModel,
  options: CodingOptions = {},
): Promise<CodingResult> {
  const t0 = performance.now();
  const { signal, onProgress, batch = 32 } = options;
  const table = new PatchCodeTable(store.db);
  const stale = table.stale(model.card.id);
  const codes: CodingResult['codes'] = [];
  if (stale.length === 0) return { coded: 0, seconds: 0, codes };
  const { card } = model;
  const size = card.chip.size;
  const reader = await ChipReader.open(
    store.scene('before').path,
    store.scene('after').path,
    card.chip,
    signal,
  );
  // The code model is tiny (36-byte codes from 64² chips): the CPU provider is always there and
  // starting a GPU provider would cost more than the whole run.
  const session = await createModelSession(model.onnxPath, 'cpu');
  try {
    onProgress?.(0, stale.length);
    for (let i = 0; i < stale.length; i += batch) {
      if (signal?.aborted) throw new LandWatchError('E_CANCELLED', 'Cancelled.');
      const part = stale.slice(i, i + batch);
      const befores: Uint8Array[] = [];
      const afters: Uint8Array[] = [];
      for (const p of part) {
        const chips = await reader.read(p.bbox);
        befores.push(chips.before);
        afters.push(chips.after);
      }
      const shape = [part.length, 3, size, size];
      const out = await session.session.run({
        [card.inputs.before]: new ort.Tensor(
          'float32',
          chipTensor(befores, size, card.normalization),
          shape,
        ),
        [card.inputs.after]: new ort.Tensor(
          'float32',
          chipTensor(afters, size, card.normalization),
          shape,
        ),
      });
      const values = out[card.outputs.code].data as Float32Array;
      const rows = part.map((patch, k) => {
        const code = codeFromFloats(
          values.subarray(k * card.code.length, (k + 1) * card.code.length),
        );
        codes.push({ id: patch.id, code });
        return { patch, packed: packNibbles(code) };
      });
      table.putMany(card.id, rows);
      onProgress?.(Math.min(stale.length, i + batch), stale.length);
    }
  } finally {
    reader.close();
    await session.dispose();
  }
  return { coded: codes.length, seconds: (performance.now() - t0) / 1000, codes };
}
