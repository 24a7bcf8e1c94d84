/**
 * Text encoders for dBASE files. UTF-8 is what modern QGIS expects; GBK (code page 936) is what
 * many Chinese desktop GIS installs (older ArcGIS, SuperMap, MapGIS) still assume for shapefiles.
 *
 * Node's TextEncoder only produces UTF-8, but its TextDecoder understands GBK (through ICU). The
 * GBK encoder is therefore the decoder run backwards: decode every valid double-byte sequence once,
 * lazily, and keep a code point -> bytes table (128 kB) for the rest of the process.
 */
import { LandWatchError } from '../errors.js';

/** Encodings the shapefile writer can produce. */
export type DbfEncoding = 'UTF-8' | 'GBK';

let gbkTable: Uint16Array | null = null;

/**
 * Builds the BMP code point -> GBK double-byte table. Iterating lead and trail bytes in ascending
 * order and keeping the first hit gives the same choice as the WHATWG GBK encoder when a character
 * has two byte sequences.
 */
function gbkEncodeTable(): Uint16Array {
  if (gbkTable) return gbkTable;
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder('gbk');
  } catch (error) {
    throw new LandWatchError(
      'E_INTERNAL',
      'This Node.js build has no GBK support (ICU data missing).',
      {
        cause: error,
      },
    );
  }
  const table = new Uint16Array(0x10000);
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      if (text.length !== 1) continue;
      const code = text.charCodeAt(0);
      if (code !== 0xfffd && code >= 0x80 && table[code] === 0) table[code] = (lead << 8) | trail;
    }
  }
  gbkTable = table;
  return table;
}

/** Encodes text as GBK; throws naming the first character GBK cannot represent. */
export function encodeGbk(text: string): Uint8Array {
  const table = gbkEncodeTable();
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      out[n++] = code;
    } else if (code === 0x20ac) {
      // Code page 936 puts the euro sign on the single byte 0x80, outside the double-byte table.
      out[n++] = 0x80;
    } else if (code < 0x10000 && table[code] !== 0) {
      out[n++] = table[code] >> 8;
      out[n++] = table[code] & 0xff;
    } else {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `"${char}" (U+${hex}) in "${text}" cannot be written in GBK; export as UTF-8 instead.`,
      );
    }
  }
  return out.slice(0, n);
}

const utf8 = new TextEncoder();

/** Encodes text in the chosen dBASE encoding. */
export function encodeText(text: string, encoding: DbfEncoding): Uint8Array {
  return encoding === 'GBK' ? encodeGbk(text) : utf8.encode(text);
}

/**
 * The longest prefix of `text` whose encoding fits in `maxBytes`, never splitting a character.
 * Used to suggest shorter field names in error messages.
 */
export function truncateToBytes(text: string, maxBytes: number, encoding: DbfEncoding): string {
  let out = '';
  let size = 0;
  for (const char of text) {
    const bytes = encodeText(char, encoding).length;
    if (size + bytes > maxBytes) break;
    out += char;
    size += bytes;
  }
  return out;
}

/**
 * The first character of `text` the encoding cannot represent (with its code point as U+XXXX), or
 * null when all of it can be written. UTF-8 represents everything except lone surrogates.
 */
export function firstUnencodable(
  text: string,
  encoding: DbfEncoding,
): { char: string; codePoint: string } | null {
  const table = encoding === 'GBK' ? gbkEncodeTable() : null;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const ok = table
      ? code < 0x80 || code === 0x20ac || (code < 0x10000 && table[code] !== 0)
      : !(code >= 0xd800 && code <= 0xdfff);
    if (!ok) return { char, codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}` };
  }
  return null;
}

/** Bytes of `text` in the encoding, or null when some character cannot be encoded. */
export function encodedLength(text: string, encoding: DbfEncoding): number | null {
  if (firstUnencodable(text, encoding)) return null;
  return encodeText(text, encoding).length;
}
