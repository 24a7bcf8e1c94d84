/**
 * Attribute checks shared by the vector writers. Every writer stores the same four field types, so
 * the rules about what a value may be (an integer field holds safe integers, a date is
 * `YYYY-MM-DD`, ...) live here once and every format rejects the same bad input with the same
 * message.
 */
import { LandWatchError } from '../errors.js';
import type { FieldDef, FieldType, FieldValue } from './types.js';

const FIELD_TYPES: readonly FieldType[] = ['integer', 'real', 'text', 'date'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a schema: known types, non-empty names, no names equal to `reserved` or each other. */
export function checkSchema(fields: FieldDef[], reserved: string[], where: string): void {
  const seen = new Set(reserved.map((r) => r.toLowerCase()));
  for (const field of fields) {
    if (typeof field.name !== 'string' || field.name.trim() === '') {
      throw new LandWatchError('E_BAD_REQUEST', `${where}: a field has an empty name.`);
    }
    if (!FIELD_TYPES.includes(field.type)) {
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${where}: field "${field.name}" has unknown type "${String(field.type)}".`,
      );
    }
    // SQLite and dBASE compare column names case-insensitively.
    const key = field.name.toLowerCase();
    if (seen.has(key)) {
      throw new LandWatchError(
        'E_BAD_REQUEST',
        `${where}: field name "${field.name}" is used twice or clashes with ${reserved.join('/')} (names are case-insensitive).`,
      );
    }
    seen.add(key);
  }
}

/**
 * The value to store for one field, or null. Numbers are accepted for text fields (stringified);
 * NaN and infinities become null, because none of the formats can store them portably.
 */
export function fieldValue(
  field: FieldDef,
  value: FieldValue | undefined,
  where: string,
): FieldValue {
  if (value === null || value === undefined) return null;
  const fail = (why: string): never => {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `${where}, field "${field.name}": ${why} (got ${JSON.stringify(value)}).`,
    );
  };
  switch (field.type) {
    case 'integer':
      if (typeof value !== 'number') return fail('expected an integer');
      if (!Number.isFinite(value)) return null;
      if (!Number.isSafeInteger(value)) return fail('expected an integer');
      return value;
    case 'real':
      if (typeof value !== 'number') return fail('expected a number');
      return Number.isFinite(value) ? value : null;
    case 'text':
      return typeof value === 'number' ? String(value) : value;
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(value) : null;
      if (!m) return fail('expected a date as YYYY-MM-DD');
      const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (date.toISOString().slice(0, 10) !== value) return fail('not a calendar date');
      return value;
    }
  }
}

/** All values of all rows, checked, as arrays in schema order; errors name `${label} ${n}`. */
export function checkedRows(
  fields: FieldDef[],
  rows: Record<string, FieldValue>[],
  where: string,
  label: 'row' | 'feature' = 'row',
): FieldValue[][] {
  return rows.map((row, i) =>
    fields.map((field) => fieldValue(field, row[field.name], `${where}, ${label} ${i + 1}`)),
  );
}
