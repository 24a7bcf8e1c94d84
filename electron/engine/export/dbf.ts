/**
 * dBASE III (.dbf) attribute tables for shapefiles. The format is unforgiving: field names are at
 * most 10 bytes, text at most 254 bytes, numbers are right-aligned ASCII of a fixed width. Rather
 * than silently truncating (which corrupts names and Chinese text mid-character) the writer refuses
 * input that does not fit and says exactly what to change.
 */
import { LandWatchError } from '../errors.js';
import { encodeText, truncateToBytes, type DbfEncoding } from './text-encoding.js';
import type { FieldDef, FieldValue } from './types.js';

/** The dBASE column chosen for one field. */
export interface DbfColumn {
  name: Uint8Array;
  type: 'C' | 'N' | 'D';
  length: number;
  decimals: number;
  /** Each row's value, already formatted to exactly `length` bytes. */
  cells: Uint8Array[];
}

const MAX_NAME_BYTES = 10;
const MAX_TEXT_BYTES = 254;
/** Widest number ArcGIS reads back without loss; GDAL reads anything up to this too. */
const MAX_NUMBER_WIDTH = 19;
const MAX_REAL_DECIMALS = 10;
/** Language driver IDs (byte 29): 0x4D is code page 936 (GBK); UTF-8 has none, the .cpg says it. */
const LDID: Record<DbfEncoding, number> = { 'UTF-8': 0x00, GBK: 0x4d };

function fail(message: string): never {
  throw new LandWatchError('E_BAD_REQUEST', message);
}

/** Rejects field names longer than 10 bytes, suggesting names and flagging clashes among them. */
function encodeNames(fields: FieldDef[], encoding: DbfEncoding): Uint8Array[] {
  const names = fields.map((f) => encodeText(f.name, encoding));
  const tooLong = fields.filter((_, i) => names[i].length > MAX_NAME_BYTES);
  if (tooLong.length > 0) {
    const suggested = fields.map((f) => truncateToBytes(f.name, MAX_NAME_BYTES, encoding));
    const clashes = suggested.filter(
      (s, i) => suggested.findIndex((t) => t.toLowerCase() === s.toLowerCase()) !== i,
    );
    const list = tooLong
      .map((f) => `"${f.name}" (${encodeText(f.name, encoding).length} bytes)`)
      .join(', ');
    fail(
      `Shapefile field names are limited to ${MAX_NAME_BYTES} bytes in ${encoding}; too long: ${list}.` +
        (clashes.length > 0
          ? ` Cutting them to 10 bytes would create duplicate names (${[...new Set(clashes)].join(', ')}), so rename them.`
          : ' Rename them (or export to GeoPackage, which has no such limit).'),
    );
  }
  return names;
}

function padLeft(text: string, width: number): Uint8Array {
  return new TextEncoder().encode(text.padStart(width, ' '));
}

/**
 * Decimals a real column needs to hold `values` exactly (at most 10), used when the field does not
 * declare its own; values are then written with toFixed, which never uses exponents below 1e21.
 */
export function realDecimals(values: number[]): number {
  let decimals = 1;
  for (const v of values) {
    const fraction = String(v).split('.')[1];
    const exponent = /e-(\d+)$/.exec(String(v));
    const needed = exponent ? MAX_REAL_DECIMALS : (fraction?.length ?? 0);
    decimals = Math.max(decimals, Math.min(needed, MAX_REAL_DECIMALS));
  }
  return decimals;
}

/** Chooses the dBASE type and width of one field and formats its cells. */
function buildColumn(
  field: FieldDef,
  name: Uint8Array,
  values: FieldValue[],
  encoding: DbfEncoding,
): DbfColumn {
  const present = values.filter((v): v is string | number => v !== null);
  if (field.type === 'date') {
    const cells = values.map((v) =>
      new TextEncoder().encode(v === null ? '00000000' : String(v).replace(/-/g, '')),
    );
    return { name, type: 'D', length: 8, decimals: 0, cells };
  }
  if (field.type === 'text') {
    const encoded = values.map((v) =>
      v === null ? new Uint8Array(0) : encodeText(String(v), encoding),
    );
    const longest = encoded.reduce((m, e, i) => (e.length > encoded[m].length ? i : m), 0);
    if ((encoded[longest]?.length ?? 0) > MAX_TEXT_BYTES) {
      fail(
        `Field "${field.name}", feature ${longest + 1}: the text is ${encoded[longest].length} bytes in ${encoding}, but shapefiles hold at most ${MAX_TEXT_BYTES}; shorten it or export to GeoPackage.`,
      );
    }
    const length = Math.min(
      MAX_TEXT_BYTES,
      Math.max(1, field.width ?? 0, ...encoded.map((e) => e.length)),
    );
    const cells = encoded.map((e) => {
      const cell = new Uint8Array(length).fill(0x20);
      cell.set(e);
      return cell;
    });
    return { name, type: 'C', length, decimals: 0, cells };
  }
  const numbers = present as number[];
  // A declared number of decimals (from an export profile) is kept exactly.
  const fixedDecimals = field.type === 'real' && field.decimals !== undefined;
  let decimals = field.type === 'real' ? (field.decimals ?? realDecimals(numbers)) : 0;
  const format = (v: number): string => (field.type === 'real' ? v.toFixed(decimals) : String(v));
  // Without a declared width, at least 9 digits for integers, like GDAL: readers then map the
  // field to a 32-bit integer and editing in QGIS is not capped at the widest value exported.
  const widthFor = (): number =>
    Math.max(
      field.width ?? (field.type === 'integer' ? 9 : 3),
      ...numbers.map((v) => format(v).length),
    );
  let length = widthFor();
  while (length > MAX_NUMBER_WIDTH && decimals > 1 && !fixedDecimals) {
    decimals--;
    length = widthFor();
  }
  if (length > MAX_NUMBER_WIDTH) {
    const widest = numbers.find((v) => format(v).length === length);
    fail(
      `Field "${field.name}": ${widest} needs more than ${MAX_NUMBER_WIDTH} characters in a shapefile.`,
    );
  }
  const cells = values.map((v) =>
    v === null ? new Uint8Array(length).fill(0x2a) : padLeft(format(v as number), length),
  );
  return { name, type: 'N', length, decimals, cells };
}

/** Builds a complete .dbf file. `rows` are checked values in field order. */
export function buildDbf(fields: FieldDef[], rows: FieldValue[][], encoding: DbfEncoding): Buffer {
  if (fields.length > 255) fail('Shapefiles hold at most 255 fields.');
  const names = encodeNames(fields, encoding);
  const columns = fields.map((field, f) =>
    buildColumn(
      field,
      names[f],
      rows.map((row) => row[f]),
      encoding,
    ),
  );
  const headerLength = 32 + 32 * columns.length + 1;
  const recordLength = 1 + columns.reduce((sum, c) => sum + c.length, 0);
  if (recordLength > 0xffff)
    fail(`A shapefile record is limited to 65535 bytes (needs ${recordLength}).`);

  const out = Buffer.alloc(headerLength + recordLength * rows.length + 1, 0x20);
  out.fill(0, 0, headerLength);
  const now = new Date();
  out.writeUInt8(0x03, 0);
  out.writeUInt8(now.getFullYear() - 1900, 1);
  out.writeUInt8(now.getMonth() + 1, 2);
  out.writeUInt8(now.getDate(), 3);
  out.writeUInt32LE(rows.length, 4);
  out.writeUInt16LE(headerLength, 8);
  out.writeUInt16LE(recordLength, 10);
  out.writeUInt8(LDID[encoding], 29);
  columns.forEach((column, i) => {
    const at = 32 + i * 32;
    out.set(column.name, at);
    out.write(column.type, at + 11, 'latin1');
    out.writeUInt8(column.length, at + 16);
    out.writeUInt8(column.decimals, at + 17);
  });
  out.writeUInt8(0x0d, headerLength - 1);

  for (let r = 0; r < rows.length; r++) {
    let at = headerLength + r * recordLength + 1; // byte 0 is the deletion flag: ' ' = live
    for (const column of columns) {
      out.set(column.cells[r], at);
      at += column.length;
    }
  }
  out.writeUInt8(0x1a, out.length - 1);
  return out;
}
