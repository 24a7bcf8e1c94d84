/**
 * A small reader for OGC WKT1 (the dialect in epsg-index, GeoTIFF citations and shapefile .prj
 * files). It only builds the tree; callers pick out what they need (units, authority, names).
 * Written by hand because the few CRS facts LandWatch needs do not justify a full CRS library.
 */

/** One `KEYWORD[...]` node. Bare words such as `EAST` in `AXIS["x",EAST]` become nodes too. */
export interface WktNode {
  keyword: string;
  args: WktValue[];
}

/** A quoted string, a number, or a nested node. */
export type WktValue = WktNode | string | number;

/** Parses one WKT1 definition; throws with the offending offset when it is malformed. */
export function parseWkt(text: string): WktNode {
  let pos = 0;

  const fail = (what: string): never => {
    throw new Error(`Malformed WKT at offset ${pos}: ${what}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };

  const readValue = (): WktValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === '"') {
      // WKT escapes a quote inside a string by doubling it.
      let out = '';
      pos++;
      for (;;) {
        if (pos >= text.length) fail('unterminated string');
        if (text[pos] === '"') {
          if (text[pos + 1] === '"') {
            out += '"';
            pos += 2;
            continue;
          }
          pos++;
          return out;
        }
        out += text[pos++];
      }
    }
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(pos, pos + 64));
    if (number) {
      pos += number[0].length;
      return Number(number[0]);
    }
    return readNode();
  };

  const readNode = (): WktNode => {
    skipSpace();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 64));
    if (!word) return fail('expected a keyword');
    pos += word[0].length;
    const node: WktNode = { keyword: word[0].toUpperCase(), args: [] };
    skipSpace();
    const open = text[pos];
    if (open !== '[' && open !== '(') return node;
    const close = open === '[' ? ']' : ')';
    pos++;
    skipSpace();
    if (text[pos] === close) {
      pos++;
      return node;
    }
    for (;;) {
      node.args.push(readValue());
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === close) {
        pos++;
        return node;
      }
      return fail(`expected ',' or '${close}'`);
    }
  };

  const root = readNode();
  skipSpace();
  if (pos !== text.length) fail('trailing characters');
  return root;
}

/** The first direct child node with this keyword (case-insensitive), if any. */
export function wktChild(node: WktNode, keyword: string): WktNode | undefined {
  const wanted = keyword.toUpperCase();
  for (const arg of node.args) {
    if (typeof arg === 'object' && arg.keyword === wanted) return arg;
  }
  return undefined;
}

/** The node's name: its first argument when that is a string (e.g. `PROJCS["name",...]`). */
export function wktName(node: WktNode): string | undefined {
  const first = node.args[0];
  return typeof first === 'string' ? first : undefined;
}

/** `AUTHORITY["EPSG","32650"]` of a node as `{ name: 'EPSG', code: 32650 }`. */
export function wktAuthority(node: WktNode): { name: string; code: number } | undefined {
  const authority = wktChild(node, 'AUTHORITY');
  if (!authority) return undefined;
  const [name, code] = authority.args;
  const numeric = typeof code === 'number' ? code : Number(code);
  if (typeof name !== 'string' || !Number.isInteger(numeric)) return undefined;
  return { name: name.toUpperCase(), code: numeric };
}

/** `UNIT["metre",1]` of a node as `{ name: 'metre', factor: 1 }`. */
export function wktUnit(node: WktNode): { name: string; factor: number } | undefined {
  const unit = wktChild(node, 'UNIT');
  if (!unit) return undefined;
  const [name, factor] = unit.args;
  if (typeof name !== 'string' || typeof factor !== 'number') return undefined;
  return { name, factor };
}

/**
 * The EPSG code a WKT1 definition declares for itself (its top-level AUTHORITY), or null. Lets a
 * writer that only got WKT (e.g. from a GeoTIFF) still register the CRS under its EPSG code.
 */
export function epsgCodeOfWkt(wkt: string): number | null {
  try {
    const authority = wktAuthority(parseWkt(wkt));
    return authority?.name === 'EPSG' ? authority.code : null;
  } catch {
    return null;
  }
}
