/**
 * dBASE (.dbf) reader for the attributes of a shapefile: character, numeric, float, logical and
 * date fields, decoded in the encoding its .cpg names (UTF-8, GBK / code page 936, GB18030) or,
 * without one, the code page in the header's language driver byte, else UTF-8 with a fall-back to
 * GBK where the bytes are not valid UTF-8 (Chinese shapefiles without .cpg are nearly always GBK).
 */
import { LandWatchError } from '../errors.js';
import type { AttributeValue } from './types.js';

/** The TextDecoder label for a .cpg text, or null when LandWatch does not know it. */
export function encodingOfCpg(cpg: string): string | null {
  const key = cpg
    .trim()
    .toUpperCase()
    .replace(/[-_\s]/g, '');
  if (['UTF8', '65001'].includes(key)) return 'utf-8';
  if (['GBK', 'CP936', '936', 'GB2312', 'ANSI936', 'CP20936'].includes(key)) return 'gbk';
  if (key === 'GB18030' || key === '54936') return 'gb18030';
  if (['ISO88591', 'LATIN1', 'CP1252', '1252', 'WINDOWS1252'].includes(key)) return 'windows-1252';
  return null;
}

/** Language driver ids (byte 29) that name a code page LandWatch reads. */
const LDID: Record<number, string> = { 0x4d: 'gbk', 0x7a: 'gbk', 0x57: 'windows-1252' };

export interface DbfTable {
  fields: string[];
  /** One row per record, deleted records included (so rows line up with .shp records). */
  rows: Record<string, AttributeValue>[];
  /** Per row: true when the record is marked deleted. */
  deleted: boolean[];
  encoding: string;
}

function decoderFor(label: string): (bytes: Uint8Array) => string {
  if (label !== 'utf-8') {
    const d = new TextDecoder(label);
    return (b) => d.decode(b);
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  return (b) => strict.decode(b);
}

/**
 * Parses a .dbf. `encoding` is a TextDecoder label (from {@link encodingOfCpg}); null lets the
 * header decide as described in the module comment.
 */
export function readDbf(bytes: Uint8Array, encoding: string | null, file: string): DbfTable {
  const bad = (why: string): never => {
    throw new LandWatchError('E_BAD_REQUEST', `${file}: ${why}`);
  };
  if (bytes.length < 33) bad('not a dBASE file (too short).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  if (headerLength + count * recordLength > bytes.length) {
    bad(`the header announces ${count} records that the file does not hold (truncated?).`);
  }
  const fieldsRaw: { name: Uint8Array; type: string; length: number; decimals: number }[] = [];
  for (let at = 32; at + 32 <= headerLength && bytes[at] !== 0x0d; at += 32) {
    const raw = bytes.subarray(at, at + 11);
    const end = raw.indexOf(0);
    fieldsRaw.push({
      name: raw.subarray(0, end < 0 ? 11 : end),
      type: String.fromCharCode(bytes[at + 11]),
      length: bytes[at + 16],
      decimals: bytes[at + 17],
    });
  }
  let label = encoding ?? LDID[bytes[29]] ?? 'utf-8';
  let decode = decoderFor(label);
  const decodeAll = (): DbfTable => {
    const fields = fieldsRaw.map((f) => decode(f.name).trim());
    const rows: Record<string, AttributeValue>[] = [];
    const deleted: boolean[] = [];
    for (let i = 0; i < count; i++) {
      let at = headerLength + i * recordLength;
      deleted.push(bytes[at] === 0x2a);
      at += 1;
      const row: Record<string, AttributeValue> = {};
      fieldsRaw.forEach((f, k) => {
        row[fields[k]] = fieldValue(f.type, bytes.subarray(at, at + f.length), decode);
        at += f.length;
      });
      rows.push(row);
    }
    return { fields, rows, deleted, encoding: label };
  };
  try {
    return decodeAll();
  } catch (error) {
    // Only the guessed UTF-8 may fall back; a declared encoding that fails is the file's fault.
    if (encoding !== null || label !== 'utf-8' || !(error instanceof TypeError)) throw error;
    label = 'gbk';
    decode = decoderFor(label);
    return decodeAll();
  }
}

function fieldValue(
  type: string,
  raw: Uint8Array,
  decode: (bytes: Uint8Array) => string,
): AttributeValue {
  switch (type) {
    case 'N':
    case 'F': {
      const text = decode(raw).trim();
      if (text === '' || /^\*+$/.test(text)) return null;
      const value = Number(text);
      return Number.isFinite(value) ? value : null;
    }
    case 'L': {
      const c = decode(raw).trim().toUpperCase();
      return 'TY'.includes(c) && c !== '' ? true : 'FN'.includes(c) && c !== '' ? false : null;
    }
    case 'D': {
      const text = decode(raw).trim();
      return /^\d{8}$/.test(text)
        ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}`
        : null;
    }
    default: {
      // Text is padded with spaces (some writers pad with NULs instead).
      const text = decode(raw).replace(/[\s\0]+$/, '');
      return text === '' ? null : text;
    }
  }
}
