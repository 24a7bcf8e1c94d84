/**
 * Reads polygons from Well-Known Binary (OGC simple features, either byte order, ISO and EWKB
 * Z/M flavours): the geometry encoding inside GeoPackage blobs. Only Polygon and MultiPolygon
 * are reference-layer shapes; anything else is reported as null so the caller can count it.
 */
import type { PolygonRings } from './types.js';

/** A cursor over a WKB buffer. */
class Reader {
  private little = true;
  constructor(
    private readonly view: DataView,
    public at: number,
  ) {}

  byteOrder(): void {
    this.little = this.view.getUint8(this.at) === 1;
    this.at += 1;
  }

  uint32(): number {
    const v = this.view.getUint32(this.at, this.little);
    this.at += 4;
    return v;
  }

  double(): number {
    const v = this.view.getFloat64(this.at, this.little);
    this.at += 8;
    return v;
  }
}

/** Base type (1..7) and ordinate count of a WKB type word (ISO 1000s, EWKB high bits). */
function decodeType(word: number): { base: number; dims: number } {
  const iso = Math.floor((word & 0xffff) / 1000); // 1 Z, 2 M, 3 ZM
  const hasZ = (word & 0x80000000) !== 0 || iso === 1 || iso === 3;
  const hasM = (word & 0x40000000) !== 0 || iso >= 2;
  return { base: (word & 0xffff) % 1000, dims: 2 + Number(hasZ) + Number(hasM) };
}

function header(r: Reader): { base: number; dims: number } {
  r.byteOrder();
  const word = r.uint32();
  const type = decodeType(word);
  if ((word & 0x20000000) !== 0) r.uint32(); // EWKB SRID: not needed, the container has the CRS
  return type;
}

function readPolygon(r: Reader, dims: number): PolygonRings {
  const rings: PolygonRings = [];
  const count = r.uint32();
  for (let i = 0; i < count; i++) {
    const n = r.uint32();
    const ring: number[][] = new Array(n);
    for (let k = 0; k < n; k++) {
      const x = r.double();
      const y = r.double();
      for (let extra = 2; extra < dims; extra++) r.double();
      ring[k] = [x, y];
    }
    rings.push(ring);
  }
  return rings;
}

/**
 * The polygons of a WKB Polygon or MultiPolygon starting at `offset`; an empty list for empty
 * geometries, null for other geometry types.
 *
 * @example
 * readWkbPolygons(blob, 8 + envelopeBytes); // GeoPackage blob after its header
 */
export function readWkbPolygons(bytes: Uint8Array, offset = 0): PolygonRings[] | null {
  const r = new Reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset);
  const { base, dims } = header(r);
  if (base === 3) {
    const polygon = readPolygon(r, dims);
    return polygon.length > 0 ? [polygon] : [];
  }
  if (base !== 6) return null;
  const parts = r.uint32();
  const out: PolygonRings[] = [];
  for (let i = 0; i < parts; i++) {
    const part = header(r);
    if (part.base !== 3) return null;
    const polygon = readPolygon(r, part.dims);
    if (polygon.length > 0) out.push(polygon);
  }
  return out;
}
