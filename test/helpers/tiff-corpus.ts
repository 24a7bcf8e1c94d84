/**
 * A deterministic corpus of hostile TIFFs for the reader's fuzz test: small real GeoTIFFs cut by
 * GDAL from the shared data (tiled, stripped, deflate, LZW, JPEG/YCbCr, alpha, internal mask,
 * planar, big-endian, BigTIFF), then byte flips, truncations and mutations of directory entries
 * drawn from a seeded generator, plus the named cases from issue 18 (a looping directory chain, a
 * directory past the end, zero and absurd sizes, a deflate bomb, a folder).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { seededRandom } from '../../electron/engine/random.js';
import { dataPath } from './data.js';

const SRC = {
  rgb: dataPath('geotiff', 'vhr', 'dop-rgb.tif'),
  rgba: dataPath('geotiff', 'misc', 'RGBA.byte.tif'),
  grey16: dataPath('geotiff', 'misc', 'sentinel-b04.tif'),
};

/** Seed files: [name, source, gdal_translate creation options]. All 64×64 crops. */
const SEEDS: [string, keyof typeof SRC, string[]][] = [
  ['strip', 'rgb', []],
  ['tiled-deflate', 'rgb', ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32', '-co', 'COMPRESS=DEFLATE']],
  ['lzw-pred', 'grey16', ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2']],
  ['jpeg-ycbcr', 'rgb', ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32', '-co', 'COMPRESS=JPEG', '-co', 'PHOTOMETRIC=YCBCR']],
  ['alpha-packbits', 'rgba', ['-srcwin', '300', '0', '64', '64', '-co', 'COMPRESS=PACKBITS']],
  ['bigtiff', 'rgb', ['-co', 'BIGTIFF=YES', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32']],
  ['band-planar', 'rgb', ['-co', 'INTERLEAVE=BAND']],
  ['big-endian', 'grey16', ['-co', 'ENDIANNESS=BIG']],
  ['internal-mask', 'rgba', ['-srcwin', '300', '0', '64', '64', '--config', 'GDAL_TIFF_INTERNAL_MASK', 'YES', '-b', '1', '-b', '2', '-b', '3', '-mask', '4']],
]; // prettier-ignore

export interface CorpusCase {
  name: string;
  path: string;
  /** The healthy file it was made from (the other date of a detect run). */
  seed: string;
  /** A healthy seed itself: it must open. */
  healthy?: boolean;
}

interface IfdEntry {
  /** Byte offset of the 12-byte entry. */
  at: number;
  tag: number;
}

/** Entries of the first directory of a classic little-endian TIFF (the seeds GDAL writes). */
function firstIfd(buf: Buffer): { at: number; entries: IfdEntry[]; next: number } | null {
  if (buf.toString('latin1', 0, 2) !== 'II' || buf.readUInt16LE(2) !== 42) return null;
  const at = buf.readUInt32LE(4);
  const n = buf.readUInt16LE(at);
  const entries = Array.from({ length: n }, (_, i) => ({
    at: at + 2 + i * 12,
    tag: buf.readUInt16LE(at + 2 + i * 12),
  }));
  return { at, entries, next: at + 2 + n * 12 };
}

function setTag(buf: Buffer, tag: number, value: number, type = 4): Buffer {
  const out = Buffer.from(buf);
  const ifd = firstIfd(out);
  const e = ifd?.entries.find((x) => x.tag === tag);
  if (!e) return out;
  out.writeUInt16LE(type, e.at + 2);
  out.writeUInt32LE(1, e.at + 4);
  out.writeUInt32LE(value >>> 0, e.at + 8);
  return out;
}

/** The named hostile cases of issue 18, made from one healthy classic TIFF. */
function namedCases(buf: Buffer): [string, Buffer][] {
  const ifd = firstIfd(buf);
  if (!ifd) return [];
  const loop = Buffer.from(buf);
  loop.writeUInt32LE(ifd.at, ifd.next); // the first directory's "next" is itself
  const pastEnd = Buffer.from(buf);
  pastEnd.writeUInt32LE(buf.length + 4096, 4);
  const midEnd = Buffer.from(buf);
  midEnd.writeUInt32LE(buf.length - 2, 4);
  return [
    ['loop-ifd', loop],
    ['ifd-past-end', pastEnd],
    ['ifd-at-end', midEnd],
    ['zero-width', setTag(buf, 256, 0)],
    ['zero-height', setTag(buf, 257, 0)],
    ['huge-width', setTag(buf, 256, 0xffffffff)],
    ['huge-height', setTag(buf, 257, 3_000_000)],
    ['zero-bits', setTag(buf, 258, 0, 3)],
    ['huge-bits', setTag(buf, 258, 200, 3)],
    ['huge-bands', setTag(buf, 277, 60000, 3)],
    ['zero-rows-per-strip', setTag(buf, 278, 0)],
    ['unknown-compression', setTag(buf, 259, 777, 3)],
    ['truncated-half', buf.subarray(0, buf.length >> 1)],
    ['header-only', buf.subarray(0, 8)],
    ['empty', Buffer.alloc(0)],
  ];
}

/**
 * A tiled deflate TIFF whose first tile is a deflate bomb: a few kilobytes that inflate to 64 MB
 * (the tile holds a few kilobytes of pixels).
 */
function deflateBomb(buf: Buffer): [string, Buffer][] {
  const ifd = firstIfd(buf);
  const offsets = ifd?.entries.find((e) => e.tag === 324);
  const counts = ifd?.entries.find((e) => e.tag === 325);
  if (!offsets || !counts) return [];
  const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
  const out = Buffer.concat([buf, bomb]);
  const many = out.readUInt32LE(offsets.at + 4) > 1;
  const at = (e: IfdEntry) => (many ? out.readUInt32LE(e.at + 8) : e.at + 8);
  out.writeUInt32LE(buf.length, at(offsets));
  out.writeUInt32LE(bomb.length, at(counts));
  return [['deflate-bomb', out]];
}

/** One random mutation of `buf`. */
function mutate(buf: Buffer, rand: () => number): [string, Buffer] {
  const pick = (n: number) => Math.floor(rand() * n);
  const kind = pick(4);
  if (kind === 0) {
    const out = Buffer.from(buf);
    const flips = 1 + pick(8);
    for (let i = 0; i < flips; i++) out[pick(out.length)] ^= 1 << pick(8);
    return ['flip', out];
  }
  if (kind === 1) return ['truncate', buf.subarray(0, pick(buf.length))];
  const ifd = firstIfd(buf);
  if (!ifd) {
    // BigTIFF and big-endian seeds: flip bytes in the header area, where their directories are.
    const out = Buffer.from(buf);
    for (let i = 0; i < 4; i++) out[pick(Math.min(out.length, 512))] = pick(256);
    return ['header-bytes', out];
  }
  const out = Buffer.from(buf);
  const e = ifd.entries[pick(ifd.entries.length)];
  const extremes = [0, 1, 0xffff, 0x7fffffff, 0xffffffff, buf.length, buf.length - 1, ifd.at];
  const value = rand() < 0.5 ? extremes[pick(extremes.length)] : pick(0x100000);
  const field = pick(3);
  if (field === 0) out.writeUInt16LE(pick(20), e.at + 2);
  else if (field === 1) out.writeUInt32LE(value >>> 0, e.at + 4);
  else out.writeUInt32LE(value >>> 0, e.at + 8);
  return [`entry-${e.tag}-${['type', 'count', 'value'][field]}`, out];
}

/**
 * Writes the corpus into `dir`: the seeds, the named cases and `mutations` mutants per seed, all
 * from `seed`. Needs gdal_translate and the shared data.
 */
export function buildCorpus(dir: string, mutations = 30, seed = 18): CorpusCase[] {
  mkdirSync(dir, { recursive: true });
  const rand = seededRandom(seed);
  const cases: CorpusCase[] = [];
  const add = (name: string, bytes: Buffer, seedPath: string) => {
    const path = join(dir, `${String(cases.length).padStart(3, '0')}-${name}.tif`);
    writeFileSync(path, bytes);
    cases.push({ name, path, seed: seedPath });
  };
  for (const [name, src, options] of SEEDS) {
    const seedPath = join(dir, `seed-${name}.tif`);
    const win = options.includes('-srcwin') ? [] : ['-srcwin', '200', '200', '64', '64'];
    execFileSync('gdal_translate', ['-q', ...win, ...options, SRC[src], seedPath]);
    const bytes = readFileSync(seedPath);
    cases.push({ name: `seed-${name}`, path: seedPath, seed: seedPath, healthy: true });
    if (name === 'strip') for (const [n, b] of namedCases(bytes)) add(n, b, seedPath);
    if (name === 'tiled-deflate') for (const [n, b] of deflateBomb(bytes)) add(n, b, seedPath);
    for (let i = 0; i < mutations; i++) {
      const [kind, out] = mutate(bytes, rand);
      add(`${name}-${kind}`, out, seedPath);
    }
  }
  mkdirSync(join(dir, 'a-folder.tif'), { recursive: true });
  cases.push({ name: 'folder', path: join(dir, 'a-folder.tif'), seed: cases[0].seed });
  return cases;
}
