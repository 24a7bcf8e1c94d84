/**
 * Turns a layer with LandWatch attribute names into the layer a profile describes: renamed fields,
 * value codes, constants, dates cut from timestamps, reals rounded to the profile's decimals.
 * Nothing is dropped or guessed silently: a value the profile has no code for, or a source the
 * layer lacks, becomes an {@link ExportProblem} that the pre-export check reports.
 */
import type { ExportProfile, ProfileField } from './profiles.js';
import type { ExportFeature, ExportLayer, ExportProblem, FieldDef, FieldValue } from './types.js';

/** The profiled layer and what went wrong while mapping values. */
export interface ProfiledLayer {
  layer: ExportLayer;
  problems: ExportProblem[];
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;

/** How one feature is named in messages: its position and, when known, its patch number. */
export function featureLabel(source: ExportLayer, index: number): string {
  const number = source.features[index]?.properties.number;
  return typeof number === 'number' && number !== index + 1
    ? `feature ${index + 1} (patch ${number})`
    : `feature ${index + 1}`;
}

/** The output field definition of a profile field. */
export function profileFieldDef(field: ProfileField): FieldDef {
  return {
    name: field.code,
    type: field.type,
    ...(field.width !== undefined ? { width: field.width } : {}),
    ...(field.decimals !== undefined ? { decimals: field.decimals } : {}),
    ...(field.label !== undefined ? { title: field.label } : {}),
  };
}

/** Converts a mapped value to the field's type where that is lossless or documented. */
function coerce(field: ProfileField, value: FieldValue): FieldValue {
  if (value === null) return null;
  switch (field.type) {
    case 'text':
      return typeof value === 'number' ? String(value) : value;
    case 'date':
      // Timestamps (detected_at, reviewed_at) become their calendar day.
      return typeof value === 'string' && ISO_DAY.test(value) ? value.slice(0, 10) : value;
    case 'integer':
      // A real source in an integer field (e.g. area in whole m²) is rounded, as GIS tools do.
      return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : value;
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) && field.decimals !== undefined
        ? Number(value.toFixed(field.decimals))
        : value;
  }
}

/**
 * Applies `profile` to `source` (a layer whose field names are LandWatch attribute names, e.g. from
 * `patchSourceLayer`). The result keeps the source CRS and geometries.
 */
export function applyProfile(source: ExportLayer, profile: ExportProfile): ProfiledLayer {
  const problems: ExportProblem[] = [];
  const known = new Set(source.fields.map((f) => f.name));
  for (const field of profile.fields) {
    if (field.source !== undefined && !known.has(field.source)) {
      problems.push({
        severity: 'error',
        code: 'missing-source',
        field: field.code,
        message: `Field ${field.code} takes "${field.source}", which layer "${source.name}" does not have.`,
      });
    }
  }
  // One message per field and unmapped value, naming the first feature and how many share it.
  const unmapped = new Map<string, { first: number; count: number; field: string }>();
  const features = source.features.map((feature, i): ExportFeature => {
    const properties: Record<string, FieldValue> = {};
    for (const field of profile.fields) {
      let value: FieldValue =
        field.value !== undefined ? field.value : (feature.properties[field.source!] ?? null);
      if (field.values && value !== null) {
        const key = String(value);
        if (Object.prototype.hasOwnProperty.call(field.values, key)) value = field.values[key];
        else if ((field.unmapped ?? 'error') === 'null') value = null;
        else if ((field.unmapped ?? 'error') === 'error') {
          const id = `${field.code}\u0000${key}`;
          const seen = unmapped.get(id);
          if (seen) seen.count++;
          else unmapped.set(id, { first: i, count: 1, field: field.code });
          value = null;
        }
      }
      properties[field.code] = coerce(field, value);
    }
    return { geometry: feature.geometry, properties };
  });
  for (const [id, { first, count, field }] of unmapped) {
    const value = id.split('\u0000')[1];
    const spec = profile.fields.find((f) => f.code === field)!;
    problems.push({
      severity: 'error',
      code: 'unmapped-value',
      field,
      feature: first + 1,
      message:
        `Field ${field}: ${spec.source} "${value}" of ${featureLabel(source, first)}` +
        `${count > 1 ? ` and ${count - 1} more` : ''} has no code in profile "${profile.id}"; ` +
        `add it to the field's "values" or set "unmapped" to "keep" or "null".`,
    });
  }
  return {
    layer: {
      name: profile.layerName ?? source.name,
      crs: source.crs,
      fields: profile.fields.map(profileFieldDef),
      features,
    },
    problems,
  };
}
