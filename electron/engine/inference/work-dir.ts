/**
 * The folder a detection works in, and its checkpoints. It holds the probability being written
 * (raw rows while running, probability.tif when done), the kept change mask, and a sidecar
 * (run.json) recording which tile rows are finished, the screening plan and the blending rows in
 * flight (carry-<row>.bin); a model with a kind output adds the 1/4-resolution kind map (kind.raw,
 * then kind.tif) and its rows in flight (kind-carry-<row>.bin). A run with the same inputs finds
 * the sidecar and continues after the last finished tile row — after a crash, a kill or a cancel — or, when the probability is
 * complete, re-vectorises it without running the model at all.
 *
 * A lock file (work-lock.ts: pid, refreshed every few seconds) keeps two runs out of one folder; a
 * lock whose process is gone, or that was not refreshed for 10 s (a terminated worker thread), is
 * stale and taken over.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { LandWatchError } from '../errors.js';
import type { BandCarry, BandRows } from './band-blender.js';
import { BAND_SCRATCH_PREFIX } from './band-store.js';
import { readCarries, writeCarries } from './carry-file.js';
import { KIND_MAP_FILE } from './kind-map.js';
import { cropsFromText, cropsToText, type TileCrops } from './tile-crops.js';
import { heartbeat, releaseLock, takeLock } from './work-lock.js';
import { workRoot } from './work-root.js';

/** The sidecar: what a resumed run needs to know. */
export interface RunRecord {
  version: 1;
  /** Hash of everything that determines the probability (inputs, model, preprocessing, plan). */
  key: string;
  width: number;
  height: number;
  /** Tile rows finished; their rows are in the raw file and the rest is in `carry`. */
  nextRow: number;
  /** Carry file for `nextRow`, null before the first tile row. */
  carry: string | null;
  /** Screening plan: active tiles as base64 bytes (1 = run), null = not planned yet / full sweep. */
  plan: string | null;
  /** What screening measured, kept so a resumed run reports it. */
  screening: Record<string, number> | null;
  /** The plan's tile crops (tile-crops.ts, as text); absent: tiles run whole. */
  crops?: string | null;
  /** Tiles run so far across all attempts. */
  tilesRun: number;
  /** probability.tif is written and final (and kind.tif, for a run with kinds). */
  complete: boolean;
  /** Kinds blended into kind.raw / kind.tif; absent for a model without a kind output. */
  kinds?: number;
  /** Kind carry file for `nextRow` (runs with kinds), null before the first tile row. */
  kindCarry?: string | null;
}

/** A stable hash of a JSON-able description of a run's inputs. */
export function runKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** What identifies a file's content cheaply: absolute path, size and modification time. */
export function fileStamp(path: string): { path: string; size: number; mtimeMs: number } {
  const st = statSync(path);
  return { path: resolve(path), size: st.size, mtimeMs: st.mtimeMs };
}

/** Whether a record's crops, if it has any, decode for its plan's grid. */
function cropsDecode(record: RunRecord): boolean {
  if (!record.crops) return true;
  if (!record.plan) return false;
  return cropsFromText(record.crops, Buffer.from(record.plan, 'base64').length) !== null;
}

/** An opened, locked work folder and its run record; release() when done. */
export class WorkDir {
  private heartbeat: NodeJS.Timeout | null = null;

  private constructor(
    readonly dir: string,
    public record: RunRecord,
    /** The record was found on disk (this run continues an earlier one). */
    readonly resumed: boolean,
    readonly notes: string[],
  ) {}

  /**
   * Opens (creating it) the work folder for a run: `dir`, or a folder under {@link workRoot}
   * named after the key. With `resume` false, any earlier state is discarded.
   */
  static open(options: {
    dir?: string;
    key: string;
    width: number;
    height: number;
    resume: boolean;
    /** Kinds the model outputs (kind-map.ts); 0 or absent: none. */
    kinds?: number;
  }): WorkDir {
    const notes: string[] = [];
    let dir = resolve(options.dir ?? join(workRoot(), options.key.slice(0, 16)));
    mkdirSync(dir, { recursive: true });
    if (!takeLock(dir)) {
      if (options.dir) {
        throw new LandWatchError(
          'E_OUTPUT',
          `${dir} is in use by another detection (see its lock file); choose another work folder.`,
        );
      }
      dir = `${dir}-${process.pid}-${Date.now()}`;
      mkdirSync(dir, { recursive: true });
      takeLock(dir);
      notes.push('another detection of the same inputs is running; this one starts afresh');
    }
    const fresh: RunRecord = {
      version: 1,
      key: options.key,
      width: options.width,
      height: options.height,
      nextRow: 0,
      carry: null,
      plan: null,
      screening: null,
      tilesRun: 0,
      complete: false,
      // Only runs with kinds carry the fields, so the sidecar of others is as it always was.
      ...(options.kinds ? { kinds: options.kinds, kindCarry: null } : {}),
    };
    const found = readRecord(dir);
    const matches =
      options.resume &&
      found !== null &&
      found.key === options.key &&
      (found.kinds ?? 0) === (options.kinds ?? 0) &&
      (found.complete || found.nextRow === 0 || found.carry !== null);
    // Crops that no longer decode would have the rest of the run blend whole tiles against rows
    // blended from crops: the record is of no use then, and the run starts afresh.
    const damaged = matches && found !== null && !cropsDecode(found);
    if (damaged)
      notes.push(`the run record in ${dir} has damaged tile crops; the run starts afresh`);
    const usable = matches && !damaged;
    const work = new WorkDir(dir, usable ? found : fresh, usable, notes);
    if (!usable) work.clear();
    // Blending sums a killed run spilled (band-store.ts): the checkpoint holds what is needed.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(BAND_SCRATCH_PREFIX)) rmSync(join(dir, name), { force: true });
    }
    work.heartbeat = heartbeat(dir);
    return work;
  }

  get rawPath(): string {
    return join(this.dir, 'probability.raw');
  }
  get probabilityPath(): string {
    return join(this.dir, 'probability.tif');
  }
  get maskPath(): string {
    return join(this.dir, 'mask.tif');
  }
  get kindRawPath(): string {
    return join(this.dir, 'kind.raw');
  }
  get kindPath(): string {
    return join(this.dir, KIND_MAP_FILE);
  }

  /** Writes the sidecar atomically (a kill leaves the old or the new one, never half of one). */
  save(): void {
    const path = join(this.dir, 'run.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(this.record, null, 1));
    renameSync(`${path}.tmp`, path);
  }

  /**
   * Records that tile rows before `nextRow` are done, with the blending rows in flight (and the
   * kind blend's, for a run with kinds).
   */
  checkpoint(
    nextRow: number,
    carry: BandCarry | BandRows,
    tilesRun: number,
    kindCarry: (BandCarry | BandRows)[] | null = null,
  ): void {
    const name = `carry-${nextRow}.bin`;
    writeCarries(join(this.dir, name), [carry]);
    const kindName = kindCarry ? `kind-carry-${nextRow}.bin` : null;
    if (kindName && kindCarry) writeCarries(join(this.dir, kindName), kindCarry);
    const old = [this.record.carry, this.record.kindCarry];
    this.record = { ...this.record, nextRow, carry: name, tilesRun };
    if (kindName) this.record.kindCarry = kindName;
    this.save();
    for (const o of old) {
      if (o && o !== name && o !== kindName) rmSync(join(this.dir, o), { force: true });
    }
  }

  /**
   * Keeps the screening plan (active tiles), their crops and the report, so a resume skips
   * screening and blends exactly as the run it continues.
   */
  savePlan(plan: Uint8Array, screening: Record<string, number>, crops?: TileCrops | null): void {
    this.record = {
      ...this.record,
      plan: Buffer.from(plan).toString('base64'),
      screening,
      ...(crops ? { crops: cropsToText(crops) } : {}),
    };
    this.save();
  }

  /** The saved plan's tile crops, if it has them (null: tiles run whole). */
  crops(): TileCrops | null {
    const plan = this.plan();
    return plan && this.record.crops ? cropsFromText(this.record.crops, plan.length) : null;
  }

  /** The saved screening plan, if any. */
  plan(): Uint8Array | null {
    return this.record.plan ? new Uint8Array(Buffer.from(this.record.plan, 'base64')) : null;
  }

  /** The blending rows saved with the last checkpoint. */
  loadCarry(): BandCarry | null {
    return this.record.carry ? readCarries(join(this.dir, this.record.carry))[0] : null;
  }

  /** The kind blend's rows saved with the last checkpoint, one carry per kind. */
  loadKindCarry(): BandCarry[] | null {
    return this.record.kindCarry ? readCarries(join(this.dir, this.record.kindCarry)) : null;
  }

  /** Marks the probability (and kind map) final and drops what only a resume needed. */
  complete(): void {
    const old = [this.record.carry, this.record.kindCarry];
    this.record = { ...this.record, complete: true, carry: null };
    if (this.record.kinds) this.record.kindCarry = null;
    this.save();
    for (const o of old) if (o) rmSync(join(this.dir, o), { force: true });
    rmSync(this.rawPath, { force: true });
    rmSync(this.kindRawPath, { force: true });
  }

  /** Stops the heartbeat and removes the lock; the files stay. */
  release(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    releaseLock(this.dir);
  }

  private clear(): void {
    for (const name of RUN_FILES) rmSync(join(this.dir, name), { force: true });
    this.save();
  }
}

/** What a fresh run starts without (carry files are named per row and replaced as it goes). */
const RUN_FILES = [
  'run.json',
  'probability.raw',
  'probability.tif',
  'mask.tif',
  'kind.raw',
  KIND_MAP_FILE,
];

function readRecord(dir: string): RunRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    if (r.version !== 1) return null;
    const has = (name: string) => existsSync(join(dir, name));
    if (r.carry && !has(r.carry)) return null;
    if (r.kindCarry && !has(r.kindCarry)) return null;
    if (r.complete && !has('probability.tif')) return null;
    if (r.complete && r.kinds && !has(KIND_MAP_FILE)) return null;
    const started = !r.complete && r.nextRow > 0;
    if (started && !has('probability.raw')) return null;
    if (started && r.kinds && !(r.kindCarry && has('kind.raw'))) return null;
    return r;
  } catch {
    return null;
  }
}
