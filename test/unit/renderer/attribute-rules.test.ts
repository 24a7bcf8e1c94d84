import { describe, expect, it } from 'vitest';
import type { CodeLists } from '../../../electron/common/contract.js';
import {
  activeClasses,
  changedAttributes,
  validateAttributes,
} from '../../../renderer/src/attribute-rules.js';

const entry = (code: string, sort: number, active = true) => ({
  code,
  label: `L${code}`,
  labelEn: `E${code}`,
  sort,
  active,
});
const lists: CodeLists = {
  changeClass: [entry('02', 2), entry('01', 1), entry('09', 9, false)],
  legality: [entry('1', 1)],
  fieldResult: [entry('A', 1)],
};
const empty = { changeClass: null, legality: null, parcelNo: null, fieldResult: null, note: null };

describe('attribute form rules', () => {
  it('accepts codes from the lists and clean parcel numbers', () => {
    const draft = { ...empty, changeClass: '01', legality: '1', parcelNo: '3301-12/5A' };
    expect(validateAttributes(draft, lists)).toEqual([]);
    expect(validateAttributes(empty, lists)).toEqual([]);
  });

  it('names the field of every problem', () => {
    const draft = { ...empty, changeClass: '77', legality: '1', parcelNo: 'a b', note: 'x' };
    const fields = validateAttributes(draft, lists).map((e) => e.field);
    expect(fields).toEqual(['changeClass', 'parcelNo']);
    expect(validateAttributes({ ...empty, changeClass: '09' }, lists)[0].message).toMatch(
      /retired/,
    );
  });

  it('sends only what changed', () => {
    const draft = { ...empty, changeClass: '01', note: 'n' };
    expect(changedAttributes(draft, { changeClass: '01' })).toEqual({ note: 'n' });
  });

  it('orders the active classes for number keys', () => {
    expect(activeClasses(lists).map((c) => c.code)).toEqual(['01', '02']);
    expect(activeClasses(null)).toEqual([]);
  });
});
