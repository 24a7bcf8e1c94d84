/**
 * Export profiles: which LandWatch attributes leave LandWatch, under which field codes, with which
 * types, widths and value codes. Receiving systems (national land-survey reporting, provincial
 * platforms, a county's own database) each expect their own short codes; a profile is the one
 * place that knowledge lives, as a JSON file users can write and share.
 *
 * The JSON shape is defined once with zod ({@link exportProfileSchema}); {@link parseProfile}
 * adds the checks a schema cannot express (known source attributes, unique codes, decimals that fit
 * the width) and reports every problem with its place in the file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { LandWatchError } from '../errors.js';
import { PATCH_ATTRIBUTE_NAMES } from './patch-attributes.js';

const codeValue = z.union([z.string().max(254), z.number().finite(), z.null()]);

/** One output field of a profile. */
export const profileFieldSchema = z
  .object({
    /** The output field name (e.g. TBBH). Shapefiles need it within 10 bytes. */
    code: z.string().trim().min(1, 'the field code is empty').max(64),
    /** The LandWatch attribute it takes its value from (see PATCH_ATTRIBUTES). */
    source: z.string().min(1).optional(),
    /** A constant written to every feature instead (e.g. an administrative region code). */
    value: codeValue.optional(),
    type: z.enum(['integer', 'real', 'text', 'date'], {
      error: 'type must be "integer", "real", "text" or "date"',
    }),
    /** Characters for text (≤ 254), total digits incl. sign and point for numbers (≤ 19). */
    width: z.number().int('width must be a whole number').min(1).max(254).optional(),
    /** Digits after the decimal point, real fields only. */
    decimals: z.number().int('decimals must be a whole number').min(0).max(15).optional(),
    /** What the field means, for people (e.g. 图斑编号); stored as the GeoPackage column title. */
    label: z.string().max(200).optional(),
    /** Codes for source values, e.g. { "confirmed": "1" }. Keys are the source values as text. */
    values: z.record(z.string(), codeValue).optional(),
    /** What to do with a source value missing from `values`: refuse (default), keep it, or null. */
    unmapped: z.enum(['error', 'keep', 'null']).optional(),
  })
  .strict();

/** The JSON shape of an export profile file. */
export const exportProfileSchema = z
  .object({
    $schema: z.string().optional(),
    kind: z.literal('landwatch-export-profile', {
      error: 'kind must be "landwatch-export-profile"',
    }),
    version: z.literal(1, { error: 'version must be 1 (the only profile version so far)' }),
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'id must be letters, digits, "_", "-" or "."'),
    name: z.string().min(1).max(200),
    description: z.string().max(4000).optional(),
    /** Layer (GeoPackage table / GeoJSON name) to write; default: the source layer's name. */
    layerName: z.string().min(1).max(64).optional(),
    fields: z.array(profileFieldSchema).min(1, 'a profile needs at least one field').max(255),
  })
  .strict();

export type ProfileField = z.infer<typeof profileFieldSchema>;
export type ExportProfile = z.infer<typeof exportProfileSchema>;

/** Widest number a dBASE N field holds that ArcGIS and GDAL both read back (see dbf.ts). */
const MAX_NUMBER_WIDTH = 19;

function pathText(path: PropertyKey[], input: unknown): string {
  let out = '';
  let node: unknown = input;
  for (const key of path) {
    if (typeof key === 'number') {
      const code = (node as unknown[] | undefined)?.[key] as { code?: unknown } | undefined;
      out += `[${key}]${typeof code?.code === 'string' ? ` ("${code.code}")` : ''}`;
    } else out += out ? `.${String(key)}` : String(key);
    node = (node as Record<PropertyKey, unknown> | undefined)?.[key];
  }
  return out || '(top level)';
}

/** Problems zod cannot see: unknown sources, duplicate codes, decimals vs width, value types. */
function semanticProblems(profile: ExportProfile): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  profile.fields.forEach((f, i) => {
    const at = `fields[${i}] ("${f.code}")`;
    const key = f.code.toLowerCase();
    if (seen.has(key))
      problems.push(
        `${at}: code "${f.code}" is also used by fields[${seen.get(key)}] (codes are case-insensitive)`,
      );
    else seen.set(key, i);
    if ((f.source === undefined) === (f.value === undefined)) {
      problems.push(`${at}: give either "source" (a LandWatch attribute) or "value" (a constant)`);
    }
    if (f.source !== undefined && !PATCH_ATTRIBUTE_NAMES.includes(f.source)) {
      problems.push(
        `${at}: unknown source "${f.source}"; LandWatch attributes are ${PATCH_ATTRIBUTE_NAMES.join(', ')}`,
      );
    }
    if (f.decimals !== undefined && f.type !== 'real') {
      problems.push(`${at}: "decimals" applies to real fields only`);
    }
    if (
      f.type !== 'text' &&
      f.width !== undefined &&
      f.width > MAX_NUMBER_WIDTH &&
      f.type !== 'date'
    ) {
      problems.push(
        `${at}: width ${f.width} is too wide for a number; at most ${MAX_NUMBER_WIDTH}`,
      );
    }
    if (f.decimals !== undefined && f.width !== undefined && f.decimals > f.width - 2) {
      problems.push(`${at}: ${f.decimals} decimals need a width of at least ${f.decimals + 2}`);
    }
    const outputs = [...Object.values(f.values ?? {}), ...(f.value !== undefined ? [f.value] : [])];
    for (const v of outputs) {
      if (v === null) continue;
      const numeric = f.type === 'integer' || f.type === 'real';
      if (numeric && typeof v !== 'number')
        problems.push(`${at}: ${JSON.stringify(v)} is not a number, but the field is ${f.type}`);
      if (f.type === 'integer' && typeof v === 'number' && !Number.isSafeInteger(v))
        problems.push(`${at}: ${v} is not an integer`);
      if (f.type === 'date' && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)))
        problems.push(`${at}: ${JSON.stringify(v)} is not a date as YYYY-MM-DD`);
    }
  });
  return problems;
}

/**
 * Validates a parsed JSON value as an export profile. `where` names it in messages (a file name).
 * Throws E_BAD_REQUEST listing every problem, one per line, each with its place in the file.
 *
 * @example
 * parseProfile(JSON.parse(text), 'county.json') // -> ExportProfile, or throws:
 * // county.json is not a valid LandWatch export profile:
 * //  - fields[2] ("TBLX").type: type must be "integer", "real", "text" or "date"
 */
export function parseProfile(json: unknown, where = 'profile'): ExportProfile {
  const parsed = exportProfileSchema.safeParse(json);
  const problems = parsed.success
    ? semanticProblems(parsed.data)
    : parsed.error.issues.map((issue) => `${pathText(issue.path, json)}: ${issue.message}`);
  if (problems.length > 0) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${where} is not a valid LandWatch export profile:\n${problems.map((p) => ` - ${p}`).join('\n')}`,
    );
  }
  return parsed.data!;
}

/** Reads and validates a profile JSON file; errors name the file and the place in it. */
export function loadProfile(path: string): ExportProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LandWatchError('E_FILE_NOT_FOUND', `${path}: profile file cannot be read.`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad on Windows writes a BOM
  } catch (error) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${basename(path)} is not valid JSON (${(error as Error).message}).`,
      { cause: error },
    );
  }
  return parseProfile(json, basename(path));
}

/** The profile format as a JSON Schema document, for editors that validate while typing. */
export function profileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(exportProfileSchema) as Record<string, unknown>;
}
