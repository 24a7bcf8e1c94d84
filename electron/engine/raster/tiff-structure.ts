/**
 * Checks a TIFF's structure before geotiff.js parses it: the directory chain (no loops, a bounded
 * number of images), every tag's values inside the file, and each image's geometry (non-zero and
 * sane sizes, a block table that covers the image and lies inside the file, decodable blocks of
 * bounded size). Hostile or damaged files then fail at once with one line naming the problem,
 * instead of hanging geotiff.js (a looping chain) or allocating without bound. Only headers are
 * read, a few kilobytes, whatever the file claims.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { LandWatchError } from '../errors.js';

/** Limits beyond which a file is refused as absurd rather than read. */
export const TIFF_LIMITS = {
  /** Images (directories) in one file: a full image plus overviews and masks needs a few dozen. */
  maxImages: 256,
  /** Pixels along either axis. */
  maxDimension: 1 << 21,
  /** Samples (bands) per pixel. */
  maxBands: 512,
  /** Bytes of one decoded block (tile or strip). */
  maxBlockBytes: 256 * 1024 * 1024,
  /** Entries in a block table. */
  maxBlocks: 4 * 1024 * 1024,
};

/** Compressions geotiff.js decodes here (none, LZW, JPEG, deflate, PackBits, LERC, zstd). */
const COMPRESSIONS = new Set([1, 5, 7, 8, 32773, 32946, 34887, 50000]);
/** Bytes per value of each TIFF field type. */
const TYPE_SIZE: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
}; // prettier-ignore

interface Entry {
  type: number;
  count: number;
  /** Absolute offset of the values (inline ones: inside the entry). */
  at: number;
}

function corrupt(name: string, problem: string): LandWatchError {
  return new LandWatchError(
    'E_TIFF_CORRUPT',
    `${name}: ${problem}; the file is damaged or not a valid TIFF.`,
  );
}

function absurd(name: string, problem: string): LandWatchError {
  return new LandWatchError('E_TIFF_CORRUPT', `${name}: ${problem}, beyond what LandWatch reads.`);
}

/** Reads numbers of either byte order from a small buffer. */
class Reader {
  constructor(
    readonly buf: Buffer,
    readonly little: boolean,
  ) {}
  u16(o: number): number {
    return this.little ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.little ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  u64(o: number): number {
    const v = this.little ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
}

async function readAt(fh: FileHandle, at: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, at);
  return buf.subarray(0, bytesRead);
}

/**
 * Validates the TIFF at `path` (`size` bytes; `name` for messages). Throws E_NOT_TIFF or
 * E_TIFF_CORRUPT with one line saying what is wrong. Returns, per image, whether LandWatch can
 * decode it: an overview or thumbnail in a compression it cannot read (e.g. old-style JPEG) is
 * only skipped, while such a first image is refused.
 */
export async function checkTiffStructure(
  path: string,
  name: string,
  size: number,
): Promise<boolean[]> {
  const fh = await open(path, 'r');
  try {
    const head = await readAt(fh, 0, 16);
    const order = head.toString('latin1', 0, 2);
    if (head.length < 8 || (order !== 'II' && order !== 'MM'))
      throw new LandWatchError('E_NOT_TIFF', `${name}: not a TIFF file.`);
    const r = new Reader(head, order === 'II');
    const version = r.u16(2);
    if (version !== 42 && version !== 43)
      throw new LandWatchError('E_NOT_TIFF', `${name}: not a TIFF file (version ${version}).`);
    const big = version === 43;
    if (big && head.length < 16) throw corrupt(name, 'the BigTIFF header is cut short');
    let next = big ? r.u64(8) : r.u32(4);
    if (next === 0) throw corrupt(name, 'the TIFF has no image directory');
    const seen = new Set<number>();
    const decodable: boolean[] = [];
    while (next !== 0) {
      if (seen.has(next))
        throw corrupt(name, `the chain of image directories loops back to offset ${next}`);
      if (seen.size >= TIFF_LIMITS.maxImages)
        throw absurd(name, `more than ${TIFF_LIMITS.maxImages} images in one file`);
      seen.add(next);
      const dir = await checkDirectory(fh, r.little, big, next, size, name, decodable.length);
      decodable.push(dir.decodable);
      next = dir.next;
    }
    return decodable;
  } finally {
    await fh.close();
  }
}

/** Checks the directory at `at` (image `index`): whether it decodes, and the next one's offset. */
async function checkDirectory(
  fh: FileHandle,
  little: boolean,
  big: boolean,
  at: number,
  size: number,
  name: string,
  index: number,
): Promise<{ next: number; decodable: boolean }> {
  const where = index === 0 ? 'the image directory' : `image directory ${index + 1}`;
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  if (at + countSize > size)
    throw corrupt(name, `${where} starts at byte ${at}, past the end of the file (${size} bytes)`);
  const countBuf = new Reader(await readAt(fh, at, countSize), little);
  const n = big ? countBuf.u64(0) : countBuf.u16(0);
  if (n === 0) throw corrupt(name, `${where} has no entries`);
  const length = countSize + n * entrySize + inline;
  if (at + length > size)
    throw corrupt(name, `${where} (${n} entries) runs past the end of the file (${size} bytes)`);
  const r = new Reader(await readAt(fh, at, length), little);
  const next = big ? r.u64(length - inline) : r.u32(length - inline);
  let problem: string | null;
  try {
    const entries = readEntries(r, n, big, at, size, name, where);
    problem = await checkImage(fh, little, entries, size, name, where);
  } catch (error) {
    // A damaged overview or thumbnail is skipped (never read); a damaged first image is refused.
    if (index === 0 || !(error instanceof LandWatchError)) throw error;
    problem = error.message;
  }
  if (problem && index === 0) throw new LandWatchError('E_TIFF_CORRUPT', problem);
  return { next, decodable: !problem };
}

/** The directory's entries, each checked to lie inside the file. */
function readEntries(
  r: Reader,
  n: number,
  big: boolean,
  at: number,
  size: number,
  name: string,
  where: string,
): Map<number, Entry> {
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const entries = new Map<number, Entry>();
  for (let i = 0; i < n; i++) {
    const o = countSize + i * entrySize;
    const tag = r.u16(o);
    const type = r.u16(o + 2);
    const count = big ? r.u64(o + 4) : r.u32(o + 4);
    const typeSize = TYPE_SIZE[type];
    if (!typeSize) throw corrupt(name, `tag ${tag} in ${where} has unknown field type ${type}`);
    const bytes = count * typeSize;
    const valueAt =
      bytes <= inline ? at + o + 4 + (big ? 8 : 4) : big ? r.u64(o + 12) : r.u32(o + 8);
    if (valueAt + bytes > size)
      throw corrupt(
        name,
        `tag ${tag} in ${where} points past the end of the file (${bytes} bytes at offset ${valueAt}, file ${size} bytes)`,
      );
    entries.set(tag, { type, count, at: valueAt });
  }
  return entries;
}

/** Reads an entry's first `limit` values as numbers (integer types only). */
async function values(
  fh: FileHandle,
  little: boolean,
  e: Entry | undefined,
  limit = Infinity,
): Promise<number[]> {
  if (!e || e.count === 0) return [];
  const size = TYPE_SIZE[e.type];
  const count = Math.min(e.count, limit);
  const buf = new Reader(await readAt(fh, e.at, count * size), little);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    out[i] =
      size === 1 ? buf.buf[o] : size === 2 ? buf.u16(o) : size === 4 ? buf.u32(o) : buf.u64(o);
  }
  return out;
}

/** Throws on damage; returns why the image cannot be decoded (null: it can). */
async function checkImage(
  fh: FileHandle,
  little: boolean,
  entries: Map<number, Entry>,
  size: number,
  name: string,
  where: string,
): Promise<string | null> {
  const one = async (tag: number, fallback?: number): Promise<number | undefined> =>
    (await values(fh, little, entries.get(tag), 1))[0] ?? fallback;
  const width = await one(256);
  const height = await one(257);
  if (width === undefined || height === undefined)
    throw corrupt(name, `${where} has no image width or height`);
  if (width === 0 || height === 0)
    throw corrupt(name, `${where} says the image is ${width}×${height} pixels (zero size)`);
  if (width > TIFF_LIMITS.maxDimension || height > TIFF_LIMITS.maxDimension)
    throw absurd(name, `${where} claims ${width}×${height} pixels`);
  const spp = (await one(277, 1)) as number;
  if (spp < 1 || spp > TIFF_LIMITS.maxBands)
    throw spp < 1
      ? corrupt(name, `${where} has 0 samples per pixel`)
      : absurd(name, `${where} claims ${spp} bands`);
  const bitsEntry = entries.get(258);
  if (bitsEntry && bitsEntry.count > TIFF_LIMITS.maxBands)
    throw absurd(name, `${where} lists ${bitsEntry.count} bit depths`);
  const bits = await values(fh, little, bitsEntry);
  const bad = bits.find((b) => b < 1 || b > 64);
  if (bad !== undefined) throw corrupt(name, `${where} has samples of ${bad} bits`);
  const compression = (await one(259, 1)) as number;
  const unreadable = COMPRESSIONS.has(compression)
    ? null
    : `${name}: ${where} uses TIFF compression ${compression}, which LandWatch cannot read; convert it (e.g. gdal_translate -co COMPRESS=DEFLATE).`;
  const planar = (await one(284, 1)) as number;
  const tiled = entries.has(322) || entries.has(324);
  const bw = tiled ? ((await one(322)) ?? 0) : width;
  const bh = tiled ? ((await one(323)) ?? 0) : Math.min(height, (await one(278, height)) as number);
  if (bw < 1 || bh < 1) throw corrupt(name, `${where} has blocks of ${bw}×${bh} pixels`);
  if (bw > TIFF_LIMITS.maxDimension || bh > TIFF_LIMITS.maxDimension)
    throw absurd(name, `${where} claims blocks of ${bw}×${bh} pixels`);
  const pixelBits =
    planar === 2 ? Math.max(8, ...bits) : bits.reduce((a, b) => a + b, 0) || 8 * spp;
  const blockBytes = (bw * bh * pixelBits) / 8;
  if (blockBytes > TIFF_LIMITS.maxBlockBytes)
    throw absurd(name, `${where} has blocks of ${Math.round(blockBytes / 2 ** 20)} MB each`);
  const expected = Math.ceil(width / bw) * Math.ceil(height / bh) * (planar === 2 ? spp : 1);
  if (expected > TIFF_LIMITS.maxBlocks) throw absurd(name, `${where} needs ${expected} blocks`);
  const offsetsEntry = entries.get(tiled ? 324 : 273);
  const countsEntry = entries.get(tiled ? 325 : 279);
  const kind = tiled ? 'tile' : 'strip';
  if (!offsetsEntry || !countsEntry)
    throw corrupt(name, `${where} has no ${kind} offsets or byte counts`);
  if (offsetsEntry.count < expected || countsEntry.count < expected)
    throw corrupt(
      name,
      `${where} lists ${Math.min(offsetsEntry.count, countsEntry.count)} ${kind}s but the image needs ${expected}`,
    );
  if (offsetsEntry.count > TIFF_LIMITS.maxBlocks || countsEntry.count > TIFF_LIMITS.maxBlocks)
    throw absurd(
      name,
      `${where} lists ${Math.max(offsetsEntry.count, countsEntry.count)} ${kind}s`,
    );
  const offsets = await values(fh, little, offsetsEntry, expected);
  const counts = await values(fh, little, countsEntry, expected);
  for (let i = 0; i < expected; i++) {
    if (offsets[i] + counts[i] > size)
      throw corrupt(
        name,
        `${kind} ${i + 1} of ${where} lies past the end of the file (bytes ${offsets[i]}–${offsets[i] + counts[i]} of ${size}; truncated?)`,
      );
  }
  const photometric = await one(262);
  if (photometric === 3) {
    const map = entries.get(320);
    const b = bits[0] ?? 8;
    if (!map || b > 16 || map.count !== 3 * 2 ** b)
      throw corrupt(name, `${where} is a palette image without a valid colour map`);
  }
  if (photometric === 6 && compression !== 7)
    return `${name}: ${where} stores YCbCr without JPEG compression, which LandWatch cannot read; convert it (gdal_translate -co PHOTOMETRIC=RGB).`;
  return unreadable;
}
