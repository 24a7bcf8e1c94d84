/**
 * The pre-export check: everything that would make an export wrong or unreadable, found before a
 * byte is written and listed all at once, each problem naming its field and feature. The known
 * failures of shapefile deliveries are the reason it exists: field names cut at 10 bytes (three
 * Chinese characters in UTF-8) and then colliding, text cut at 254 bytes mid-character, characters
 * GBK cannot hold turned into "?", numbers overflowing their declared width, a missing .prj.
 */
import type { ExportFormat } from '../../common/contract.js';
import { validatePolygon } from '../vector/validity.js';
import { applyProfile, featureLabel } from './apply-profile.js';
import { crsProblems } from './crs-check.js';
import { realDecimals } from './dbf.js';
import { fieldValue } from './fields.js';
import { polygonsOf } from './geometry.js';
import type { ExportProfile } from './profiles.js';
import {
  encodedLength,
  firstUnencodable,
  truncateToBytes,
  type DbfEncoding,
} from './text-encoding.js';
import type {
  ExportLayer,
  ExportProblem,
  ExportProblemCode,
  FieldDef,
  FieldValue,
} from './types.js';

/** Options of {@link checkExport}. */
export interface CheckOptions {
  format: ExportFormat;
  /** Shapefile attribute encoding. Default UTF-8. */
  encoding?: DbfEncoding;
}

/** The outcome of {@link checkExport}: the profiled layer that would be written and its problems. */
export interface ExportCheck {
  layer: ExportLayer;
  problems: ExportProblem[];
  /** True when nothing stops the export (warnings allowed). */
  ok: boolean;
}

const MAX_NAME_BYTES = 10;
const MAX_TEXT_BYTES = 254;
const MAX_NUMBER_WIDTH = 19;
const MAX_RECORD_BYTES = 0xffff;

/** An error-severity problem; `feature` is 1-based. */
function problem(
  code: ExportProblemCode,
  message: string,
  field?: string,
  feature?: number,
): ExportProblem {
  return {
    severity: 'error',
    code,
    message,
    ...(field ? { field } : {}),
    ...(feature ? { feature } : {}),
  };
}

/** A warning: worth showing, but the file would still be right. */
function warning(
  code: ExportProblemCode,
  message: string,
  field?: string,
  feature?: number,
): ExportProblem {
  return { ...problem(code, message, field, feature), severity: 'warning' };
}

/** Name problems: shapefile byte limits and truncation clashes, duplicates, reserved names. */
function nameProblems(fields: FieldDef[], options: CheckOptions): ExportProblem[] {
  const problems: ExportProblem[] = [];
  const encoding = options.encoding ?? 'UTF-8';
  const seen = new Map<string, string>();
  const reserved = options.format === 'gpkg' ? ['fid', 'geom'] : [];
  for (const { name } of fields) {
    const key = name.toLowerCase();
    if (reserved.includes(key)) {
      const why = `Field ${name}: the name is reserved for the GeoPackage ${key} column; rename it.`;
      problems.push(problem('name-reserved', why, name));
    }
    if (seen.has(key)) {
      const why = `Field ${name} is named twice (with ${seen.get(key)}; names are case-insensitive).`;
      problems.push(problem('name-duplicate', why, name));
    }
    seen.set(key, name);
  }
  if (options.format !== 'shp') return problems;
  if (fields.length > 255) {
    const why = `A shapefile holds at most 255 fields; the profile has ${fields.length}.`;
    problems.push(problem('too-many-fields', why));
  }
  const cut = new Map<string, { short: string; names: string[] }>();
  for (const { name } of fields) {
    const bad = firstUnencodable(name, encoding);
    if (bad) {
      const why = `Field name ${name}: "${bad.char}" (${bad.codePoint}) cannot be written in ${encoding}; rename the field or choose UTF-8.`;
      problems.push(problem('not-encodable', why, name));
      continue;
    }
    const bytes = encodedLength(name, encoding)!;
    const short = truncateToBytes(name, MAX_NAME_BYTES, encoding);
    if (bytes > MAX_NAME_BYTES) {
      const why =
        `Field name ${name} is ${bytes} bytes in ${encoding}; shapefile names hold ${MAX_NAME_BYTES} ` +
        `(3 Chinese characters in UTF-8, 5 in GBK) and GIS tools would cut it to "${short}". Give it a shorter code.`;
      problems.push(problem('name-too-long', why, name));
    }
    const key = short.toLowerCase();
    const entry = cut.get(key) ?? { short, names: [] };
    entry.names.push(name);
    cut.set(key, entry);
  }
  for (const { short, names } of cut.values()) {
    // Exact duplicates were reported above; here only names that collide once cut.
    if (new Set(names.map((n) => n.toLowerCase())).size > 1) {
      const why = `Fields ${names.join(', ')} all become "${short}" when cut to ${MAX_NAME_BYTES} bytes in ${encoding}; give them distinct short codes.`;
      problems.push(problem('name-duplicate', why, names[1]));
    }
  }
  return problems;
}

/** Problems of the text values of one field; returns the widest value in bytes. */
function textProblems(
  source: ExportLayer,
  field: FieldDef,
  values: FieldValue[],
  options: CheckOptions,
  problems: ExportProblem[],
): number {
  const encoding = options.encoding ?? 'UTF-8';
  let widest = field.width ?? 1;
  values.forEach((value, i) => {
    if (typeof value !== 'string') return;
    const where = `Field ${field.name}, ${featureLabel(source, i)}`;
    if (options.format !== 'shp') {
      const chars = [...value].length;
      if (options.format === 'gpkg' && field.width !== undefined && chars > field.width) {
        const why = `${where}: ${chars} characters, more than the declared ${field.width}; GeoPackage keeps them all, but a receiving system may cut them.`;
        problems.push(warning('text-too-long', why, field.name, i + 1));
      }
      return;
    }
    const bad = firstUnencodable(value, encoding);
    if (bad) {
      const why = `${where}: "${bad.char}" (${bad.codePoint}) cannot be written in ${encoding} (GIS tools would show "?"); change the text or export as UTF-8.`;
      problems.push(problem('not-encodable', why, field.name, i + 1));
      return;
    }
    const bytes = encodedLength(value, encoding)!;
    widest = Math.max(widest, bytes);
    const limit = Math.min(MAX_TEXT_BYTES, field.width ?? MAX_TEXT_BYTES);
    if (bytes > limit) {
      const fix =
        limit === MAX_TEXT_BYTES
          ? `shapefiles hold at most ${MAX_TEXT_BYTES}; shorten it or export to GeoPackage`
          : `${field.name} holds ${limit} (C(${limit}) in the profile); shorten it or widen the field`;
      const why = `${where}: the text is ${bytes} bytes in ${encoding}, but ${fix}.`;
      problems.push(problem('text-too-long', why, field.name, i + 1));
    }
  });
  return Math.min(widest, MAX_TEXT_BYTES);
}

/** Problems of the numbers of one shapefile field; returns the column width. */
function numberProblems(
  source: ExportLayer,
  field: FieldDef,
  values: FieldValue[],
  problems: ExportProblem[],
): number {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const decimals = field.type === 'real' ? (field.decimals ?? realDecimals(numbers)) : 0;
  const limit = Math.min(MAX_NUMBER_WIDTH, field.width ?? MAX_NUMBER_WIDTH);
  const kind = field.type === 'real' ? `N(${limit},${decimals})` : `N(${limit})`;
  let widest = field.width ?? (field.type === 'integer' ? 9 : 3);
  values.forEach((value, i) => {
    if (typeof value !== 'number') return;
    // Formatted exactly as the shapefile writer formats it (dbf.ts).
    const text = field.type === 'real' ? value.toFixed(decimals) : String(value);
    widest = Math.max(widest, text.length);
    if (text.length > limit) {
      const why = `Field ${field.name}, ${featureLabel(source, i)}: ${text} needs ${text.length} characters, but the field is ${kind}; widen it in the profile (at most ${MAX_NUMBER_WIDTH}).`;
      problems.push(problem('number-too-wide', why, field.name, i + 1));
    }
  });
  return widest;
}

/** Value problems of one output field over all features; returns its shapefile column width. */
function fieldProblems(
  source: ExportLayer,
  layer: ExportLayer,
  field: FieldDef,
  options: CheckOptions,
  problems: ExportProblem[],
): number {
  const values = layer.features.map((feature, i) => {
    try {
      const label = featureLabel(source, i);
      const where = label[0].toUpperCase() + label.slice(1);
      return fieldValue(field, feature.properties[field.name], where);
    } catch (error) {
      problems.push(problem('bad-value', (error as Error).message, field.name, i + 1));
      return null;
    }
  });
  if (field.type === 'text') return textProblems(source, field, values, options, problems);
  if (field.type === 'date' || options.format !== 'shp') return 8;
  return numberProblems(source, field, values, problems);
}

/** Geometry problems: unreadable, empty or invalid (OGC simple features) polygons. */
function geometryProblems(source: ExportLayer, problems: ExportProblem[]): void {
  source.features.forEach((feature, i) => {
    const label = featureLabel(source, i);
    let polygons;
    try {
      polygons = polygonsOf(feature.geometry, label);
    } catch (error) {
      problems.push(problem('invalid-geometry', `${(error as Error).message}.`, undefined, i + 1));
      return;
    }
    if (polygons.length === 0) {
      const why = `${label} has an empty geometry; it would be written without a shape.`;
      problems.push(warning('empty-geometry', why, undefined, i + 1));
    }
    polygons.forEach((rings, p) => {
      const report = validatePolygon(rings);
      if (report.valid) return;
      const part = polygons.length > 1 ? ` (part ${p + 1})` : '';
      const why = `${label}${part} is not a valid polygon: ${report.reason}; fix its outline before exporting.`;
      problems.push(problem('invalid-geometry', why, undefined, i + 1));
    });
  });
}

/**
 * Lists every problem exporting `layer` (LandWatch attribute names, e.g. from `patchSourceLayer`)
 * through `profile` to `format` would have, without writing anything. Checks: profile sources the
 * layer lacks and values without a code; values of the wrong type; a missing or unusable CRS; for
 * shapefiles, names over 10 bytes in the encoding, names that collide once cut, text over 254
 * bytes (or the field's width), characters the encoding cannot hold, numbers wider than their
 * width and precision, too many fields or too long a record; invalid or empty geometries.
 *
 * @example
 * const { ok, problems } = checkExport(layer, LAND_SURVEY_PROFILE, { format: 'shp', encoding: 'GBK' });
 * if (!ok) console.log(problems.map((p) => p.message).join('\n'));
 */
export function checkExport(
  layer: ExportLayer,
  profile: ExportProfile,
  options: CheckOptions,
): ExportCheck {
  const profiled = applyProfile(layer, profile);
  const out = profiled.layer;
  const problems = [...profiled.problems];
  if (options.encoding && options.encoding !== 'UTF-8' && options.format !== 'shp') {
    const name = { gpkg: 'GeoPackage', geojson: 'GeoJSON', csv: 'CSV' }[options.format];
    const why = `The ${options.encoding} encoding applies to shapefiles only; ${name} is always UTF-8.`;
    problems.push(warning('option-ignored', why));
  }
  problems.push(...crsProblems(layer, options.format));
  problems.push(...nameProblems(out.fields, options));
  let record = 1; // the deletion flag
  for (const field of out.fields) record += fieldProblems(layer, out, field, options, problems);
  if (options.format === 'shp' && record > MAX_RECORD_BYTES) {
    const why = `A shapefile record holds at most ${MAX_RECORD_BYTES} bytes; these fields need ${record}. Remove or narrow some.`;
    problems.push(problem('record-too-long', why));
  }
  geometryProblems(layer, problems);
  return { layer: out, problems, ok: !problems.some((p) => p.severity === 'error') };
}
