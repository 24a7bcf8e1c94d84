/**
 * The folder a detection works in, and its checkpoints. It holds the probability being written
 * (raw rows while running, probability.tif when done), the kept change mask, and a sidecar
 * (run.json) recording which tile rows are finished, the screening plan and the blending rows in
 * flight (carry-<row>.bin). A run with the same inputs finds the sidecar and continues after the
 * last finished tile row — after a crash, a kill or a cancel — or, when the probability is
 * complete, re-vectorises it without running the model at all.
 *
 * A lock file (pid, refreshed every few seconds) keeps two runs out of one folder; a lock whose
 * process is gone, or that was not refreshed for 10 s (a terminated worker thread), is stale and
 * taken over.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LandWatchError } from '../errors.js';
import type { BandCarry } from './band-blender.js';

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
  /** Tiles run so far across all attempts. */
  tilesRun: number;
  /** probability.tif is written and final. */
  complete: boolean;
}

const LOCK_STALE_MS = 10_000;
const HEARTBEAT_MS = 2_000;

/** Where default work folders go: LANDWATCH_WORK, else `landwatch-work` in the temp folder. */
export function workRoot(): string {
  return process.env.LANDWATCH_WORK ?? join(tmpdir(), 'landwatch-work');
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
    };
    const found = readRecord(dir);
    const usable =
      options.resume &&
      found !== null &&
      found.key === options.key &&
      (found.complete || found.nextRow === 0 || found.carry !== null);
    const work = new WorkDir(dir, usable ? found : fresh, usable, notes);
    if (!usable) work.clear();
    work.heartbeat = setInterval(() => touch(join(dir, 'lock')), HEARTBEAT_MS);
    work.heartbeat.unref();
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

  /** Writes the sidecar atomically (a kill leaves the old or the new one, never half of one). */
  save(): void {
    const path = join(this.dir, 'run.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(this.record, null, 1));
    renameSync(`${path}.tmp`, path);
  }

  /** Records that tile rows before `nextRow` are done, with the blending rows in flight. */
  checkpoint(nextRow: number, carry: BandCarry, tilesRun: number): void {
    const name = `carry-${nextRow}.bin`;
    writeCarry(join(this.dir, name), carry);
    const old = this.record.carry;
    this.record = { ...this.record, nextRow, carry: name, tilesRun };
    this.save();
    if (old && old !== name) rmSync(join(this.dir, old), { force: true });
  }

  /** Keeps the screening plan (active tiles) and its report, so a resume skips screening. */
  savePlan(plan: Uint8Array, screening: Record<string, number>): void {
    this.record = { ...this.record, plan: Buffer.from(plan).toString('base64'), screening };
    this.save();
  }

  /** The saved screening plan, if any. */
  plan(): Uint8Array | null {
    return this.record.plan ? new Uint8Array(Buffer.from(this.record.plan, 'base64')) : null;
  }

  /** The blending rows saved with the last checkpoint. */
  loadCarry(): BandCarry | null {
    return this.record.carry ? readCarry(join(this.dir, this.record.carry)) : null;
  }

  /** Marks the probability final and drops what only a resume needed. */
  complete(): void {
    const old = this.record.carry;
    this.record = { ...this.record, complete: true, carry: null };
    this.save();
    if (old) rmSync(join(this.dir, old), { force: true });
    rmSync(this.rawPath, { force: true });
  }

  /** Stops the heartbeat and removes the lock; the files stay. */
  release(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    rmSync(join(this.dir, 'lock'), { force: true });
  }

  private clear(): void {
    for (const name of ['run.json', 'probability.raw', 'probability.tif', 'mask.tif']) {
      rmSync(join(this.dir, name), { force: true });
    }
    this.save();
  }
}

function readRecord(dir: string): RunRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    if (r.version !== 1) return null;
    if (r.carry && !existsSync(join(dir, r.carry))) return null;
    if (r.complete && !existsSync(join(dir, 'probability.tif'))) return null;
    if (!r.complete && r.nextRow > 0 && !existsSync(join(dir, 'probability.raw'))) return null;
    return r;
  } catch {
    return null;
  }
}

/** Creates the lock, or takes over a stale one; false when a live run holds it. */
function takeLock(dir: string): boolean {
  const path = join(dir, 'lock');
  const body = JSON.stringify({ pid: process.pid, since: new Date().toISOString() });
  try {
    writeFileSync(path, body, { flag: 'wx' });
    return true;
  } catch {
    // Held: stale when its process is gone or it stopped being refreshed.
  }
  let stale = true;
  try {
    const { pid } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
    const fresh = Date.now() - statSync(path).mtimeMs < LOCK_STALE_MS;
    stale = !fresh || !alive(pid);
  } catch {
    stale = true;
  }
  if (!stale) return false;
  writeFileSync(path, body);
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // The folder was removed under us; the run itself will report that.
  }
}

const CARRY_MAGIC = 0x4c574332; // "LWC2"

// The carry is written and read in place: at 16 384 px wide it is several MB, checkpointed every
// tile row, and an assembled copy would be one more band-sized allocation each time.
function writeCarry(path: string, c: BandCarry): void {
  const fd = openSync(`${path}.tmp`, 'w');
  try {
    ioAll(
      writeSync,
      fd,
      new Uint8Array(new Int32Array([CARRY_MAGIC, c.y, c.rows, c.width]).buffer),
      0,
    );
    ioAll(writeSync, fd, new Uint8Array(c.sum.buffer, c.sum.byteOffset, c.rows * c.width * 4), 16);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
}

function readCarry(path: string): BandCarry {
  const fd = openSync(path, 'r');
  try {
    const head = new Int32Array(4);
    ioAll(readSync, fd, new Uint8Array(head.buffer), 0);
    if (head[0] !== CARRY_MAGIC)
      throw new LandWatchError('E_INTERNAL', `${path}: not a checkpoint`);
    const [, y, rows, width] = head;
    const sum = new Float32Array(rows * width);
    ioAll(readSync, fd, new Uint8Array(sum.buffer), 16);
    return { y, rows, width, sum };
  } finally {
    closeSync(fd);
  }
}

/** All of `bytes` at `position`; a short file is a damaged checkpoint. */
function ioAll(
  io: (fd: number, b: Uint8Array, off: number, len: number, pos: number) => number,
  fd: number,
  bytes: Uint8Array,
  position: number,
): void {
  for (let done = 0; done < bytes.length;) {
    const n = io(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new LandWatchError('E_INTERNAL', 'checkpoint file is truncated');
    done += n;
  }
}
