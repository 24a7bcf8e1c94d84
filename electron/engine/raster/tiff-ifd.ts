/**
 * Encoding of one classic (32-bit offset) little-endian TIFF image file directory. The GeoTIFF
 * writer appends it after the image data, so every offset here is absolute: the directory's own
 * position plus the position of each out-of-line value inside the encoded block.
 */

/** The TIFF field types this writer needs. */
export type TiffFieldType = 'ASCII' | 'SHORT' | 'LONG' | 'DOUBLE';

/** One tag to write. ASCII values are strings (the terminating NUL is added here). */
export interface TiffTag {
  tag: number;
  type: TiffFieldType;
  values: readonly number[] | string;
}

const TYPE_CODE: Record<TiffFieldType, number> = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12 };
const TYPE_SIZE: Record<TiffFieldType, number> = { ASCII: 1, SHORT: 2, LONG: 4, DOUBLE: 8 };

/** Largest offset a classic TIFF can address. */
export const MAX_CLASSIC_TIFF_OFFSET = 0xffff_ffff;

/** Frequently used tag numbers, named for readability at the call sites. */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

/** Bytes of one value, checked against the field type's range. */
function encodeValues(tag: TiffTag): Buffer {
  if (tag.type === 'ASCII') {
    if (typeof tag.values !== 'string') throw new Error(`TIFF tag ${tag.tag}: expected a string`);
    // Strings read from another file may still carry their NUL; never write two.
    const text = tag.values.endsWith('\0') ? tag.values.slice(0, -1) : tag.values;
    return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
  }
  if (typeof tag.values === 'string') throw new Error(`TIFF tag ${tag.tag}: expected numbers`);
  const size = TYPE_SIZE[tag.type];
  const out = Buffer.alloc(tag.values.length * size);
  tag.values.forEach((value, i) => {
    if (tag.type === 'DOUBLE') {
      out.writeDoubleLE(value, i * size);
      return;
    }
    const max = tag.type === 'SHORT' ? 0xffff : 0xffff_ffff;
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new Error(`TIFF tag ${tag.tag}: ${value} does not fit a ${tag.type}`);
    }
    if (tag.type === 'SHORT') out.writeUInt16LE(value, i * size);
    else out.writeUInt32LE(value, i * size);
  });
  return out;
}

/**
 * Encodes a directory that will be written at `ifdOffset` (must be even, as TIFF requires word
 * alignment). Tags are sorted by number, as the TIFF specification demands. The directory ends with
 * `nextIfdOffset`, the directory of the next image (an overview), or 0 (default) for the last one.
 */
export function encodeIfd(tags: readonly TiffTag[], ifdOffset: number, nextIfdOffset = 0): Buffer {
  if (ifdOffset % 2 !== 0) throw new Error('TIFF directories must start on an even offset');
  const sorted = [...tags].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tag === sorted[i - 1].tag) throw new Error(`TIFF tag ${sorted[i].tag} twice`);
  }

  const headerSize = 2 + sorted.length * 12 + 4;
  const entries = Buffer.alloc(headerSize);
  const overflow: Buffer[] = [];
  let overflowSize = 0;

  entries.writeUInt16LE(sorted.length, 0);
  entries.writeUInt32LE(nextIfdOffset, headerSize - 4);
  sorted.forEach((tag, i) => {
    const bytes = encodeValues(tag);
    const count = tag.type === 'ASCII' ? bytes.length : (tag.values as number[]).length;
    const at = 2 + i * 12;
    entries.writeUInt16LE(tag.tag, at);
    entries.writeUInt16LE(TYPE_CODE[tag.type], at + 2);
    entries.writeUInt32LE(count, at + 4);
    if (bytes.length <= 4) {
      // Values of up to four bytes live in the entry itself, left-justified.
      bytes.copy(entries, at + 8);
      return;
    }
    // Keep out-of-line values 8-byte aligned (doubles read faster; word alignment is mandatory).
    const pad = (8 - ((ifdOffset + headerSize + overflowSize) % 8)) % 8;
    if (pad) {
      overflow.push(Buffer.alloc(pad));
      overflowSize += pad;
    }
    const valueOffset = ifdOffset + headerSize + overflowSize;
    if (valueOffset + bytes.length > MAX_CLASSIC_TIFF_OFFSET) {
      throw new Error('TIFF directory would end beyond 4 GB');
    }
    entries.writeUInt32LE(valueOffset, at + 8);
    overflow.push(bytes);
    overflowSize += bytes.length;
  });
  return Buffer.concat([entries, ...overflow]);
}

/**
 * Directories of several images (the image, then its overviews) laid out one after another from
 * `position`, each linked to the next: where each goes, its bytes, and where the last one ends.
 */
export function encodeIfdChain(
  dirs: readonly (readonly TiffTag[])[],
  position: number,
): { ifds: { offset: number; bytes: Buffer }[]; end: number } {
  // A directory's size depends on its offset (value alignment), so place them all, then link.
  const at: number[] = [];
  let end = position;
  for (const tags of dirs) {
    at.push(end + (end % 2));
    end = at[at.length - 1] + encodeIfd(tags, at[at.length - 1]).length;
  }
  const ifds = dirs.map((tags, i) => ({
    offset: at[i],
    bytes: encodeIfd(tags, at[i], at[i + 1] ?? 0),
  }));
  return { ifds, end };
}

/** The 8-byte little-endian classic TIFF header pointing at the first directory. */
export function encodeTiffHeader(firstIfdOffset: number): Buffer {
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(firstIfdOffset, 4);
  return header;
}
