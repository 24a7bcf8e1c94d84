/**
 * The few Protocol Buffers operations an adapted model needs: walk the top-level fields of a
 * message and write new fields. An ONNX file is a `ModelProto`; an adapter is added by appending
 * nodes, initialisers and an output to its `graph` (field 7) — protobuf concatenates repeated
 * fields, so the base graph's bytes are kept exactly as they are and only new bytes are appended.
 * See onnx/onnx.proto for the field numbers used by adapter-graph.ts.
 */
import { LandWatchError } from '../errors.js';

/** Wire types of the protobuf encoding. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** One top-level field of a message: its number, wire type and byte range (whole field). */
export interface ProtoField {
  field: number;
  wire: number;
  /** Byte range of the whole field (tag included). */
  start: number;
  end: number;
  /** Byte range of a length-delimited field's payload. */
  payloadStart: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error('varint runs past the end');
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new Error('varint longer than 10 bytes');
}

/** The top-level fields of a message, in file order; throws on a malformed encoding. */
export function topLevelFields(buf: Uint8Array, what: string): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  try {
    while (pos < buf.length) {
      const start = pos;
      const [tag, afterTag] = readVarint(buf, pos);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      pos = afterTag;
      let payloadStart = pos;
      if (wire === VARINT) pos = readVarint(buf, pos)[1];
      else if (wire === FIXED64) pos += 8;
      else if (wire === FIXED32) pos += 4;
      else if (wire === LEN) {
        const [len, p] = readVarint(buf, pos);
        payloadStart = p;
        pos = p + len;
      } else throw new Error(`unsupported wire type ${wire}`);
      if (pos > buf.length) throw new Error('field runs past the end');
      fields.push({ field, wire, start, end: pos, payloadStart });
    }
  } catch (error) {
    throw new LandWatchError(
      'E_MODEL',
      `${what}: not a valid ONNX file (${(error as Error).message}).`,
    );
  }
  return fields;
}

/** A growable byte buffer with protobuf field writers. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  private varintBytes(value: number): Uint8Array {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return Uint8Array.from(out);
  }

  private tag(field: number, wire: number): this {
    return this.push(this.varintBytes(field * 8 + wire));
  }

  varint(field: number, value: number): this {
    return this.tag(field, VARINT).push(this.varintBytes(value));
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, FIXED32).push(b);
  }

  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, LEN).push(this.varintBytes(value.length)).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  raw(bytes: Uint8Array): this {
    return this.push(bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
