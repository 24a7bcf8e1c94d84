/**
 * Validation of the attribute form against the project's code lists. Pure (no DOM), unit-tested.
 */
import type { CodeEntry, CodeLists, PatchAttributes } from '../../electron/common/contract.js';

/** The form's editable attributes (change kind is the model's, not edited here). */
export type AttributeDraft = Pick<
  PatchAttributes,
  'changeClass' | 'legality' | 'parcelNo' | 'fieldResult' | 'note'
>;

/** A problem with one field: which field and a sentence saying what to change. */
export interface AttributeError {
  field: keyof AttributeDraft;
  message: string;
}

/** Parcel numbers (宗地号): letters, digits and - / . _ only, at most 64 characters. */
const PARCEL = /^[\p{L}\p{N}][\p{L}\p{N}\-/._]{0,63}$/u;

function checkCode(
  field: keyof AttributeDraft,
  value: string | null,
  list: readonly CodeEntry[],
  what: string,
): AttributeError | null {
  if (value === null) return null;
  const entry = list.find((c) => c.code === value);
  if (!entry) return { field, message: `${what} "${value}" is not in the code list.` };
  if (!entry.active) return { field, message: `${what} ${value} (${entry.label}) is retired.` };
  return null;
}

/** Every problem of `draft`; an empty list means it can be saved. */
export function validateAttributes(draft: AttributeDraft, lists: CodeLists): AttributeError[] {
  const errors: AttributeError[] = [];
  const push = (e: AttributeError | null) => e && errors.push(e);
  push(checkCode('changeClass', draft.changeClass, lists.changeClass, 'Change class'));
  push(checkCode('legality', draft.legality, lists.legality, 'Legality'));
  push(checkCode('fieldResult', draft.fieldResult, lists.fieldResult, 'Field-check result'));
  if (draft.parcelNo !== null && !PARCEL.test(draft.parcelNo)) {
    errors.push({
      field: 'parcelNo',
      message:
        'Parcel number: up to 64 letters or digits (and - / . _), starting with a letter or digit.',
    });
  }
  if (draft.note !== null && draft.note.length > 4000) {
    errors.push({
      field: 'note',
      message: `Note: at most 4000 characters (${draft.note.length}).`,
    });
  }
  return errors;
}

/** The attributes of `draft` that differ from `current` (what `patches.setAttributes` needs). */
export function changedAttributes(
  draft: AttributeDraft,
  current: Partial<PatchAttributes> | undefined,
): Partial<AttributeDraft> {
  const out: Partial<AttributeDraft> = {};
  for (const key of Object.keys(draft) as (keyof AttributeDraft)[]) {
    if ((current?.[key] ?? null) !== draft[key]) out[key] = draft[key];
  }
  return out;
}

/** The active change classes in code-list order: number key n picks the n-th. */
export function activeClasses(lists: CodeLists | null): CodeEntry[] {
  return (lists?.changeClass ?? [])
    .filter((c) => c.active)
    .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
}
