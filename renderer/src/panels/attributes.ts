/**
 * The attribute form of the selected patch: change class, legality, parcel number, field-check
 * result and note, validated against the code lists before `patches.setAttributes`.
 */
import type { CodeEntry, PatchView } from '../../../electron/common/contract.js';
import {
  activeClasses,
  changedAttributes,
  validateAttributes,
  type AttributeDraft,
} from '../attribute-rules.js';
import { keyHint } from '../keys.js';
import { selectedPatch, type AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface AttributeFormOptions {
  save(patchId: string, attributes: Partial<AttributeDraft>): Promise<void>;
}

export interface AttributeForm {
  element: HTMLElement;
  update(state: AppState): void;
  /** Puts the cursor in the note field (N). */
  focusNote(): void;
}

/** Options of a code list; `numbered` prefixes the number key that picks each (1–9). */
function codeOptions(
  list: readonly CodeEntry[],
  none: string,
  numbered = false,
): HTMLOptionElement[] {
  return [
    h('option', { value: '' }, none),
    ...list.map((c, i) =>
      h(
        'option',
        { value: c.code },
        `${numbered && i < 9 ? `[${i + 1}] ` : ''}${c.code} ${c.label} · ${c.labelEn}`,
      ),
    ),
  ];
}

export function createAttributeForm(options: AttributeFormOptions): AttributeForm {
  const sel = (label: string, testId: string, title = label) =>
    h('select', { class: 'input input-sm', 'aria-label': label, title, 'data-testid': testId });
  const changeClass = sel('Change class', 'attr-class', keyHint('Change class', 'set_class'));
  const legality = sel('Legality', 'attr-legality');
  const fieldResult = sel('Field-check result', 'attr-field-result');
  const parcelNo = h('input', {
    class: 'input input-sm',
    type: 'text',
    maxlength: 64,
    placeholder: 'Parcel no. 宗地号',
    'aria-label': 'Parcel number',
    'data-testid': 'attr-parcel',
  });
  const note = h('textarea', {
    class: 'input',
    rows: 2,
    maxlength: 4000,
    placeholder: 'Note (Enter saves, Shift+Enter: new line)',
    'aria-label': 'Note',
    title: keyHint('Note', 'note'),
    'data-testid': 'attr-note',
  });
  const errors = h('div', {
    class: 'form-error',
    'data-testid': 'attr-errors',
    'aria-live': 'polite',
  });
  const save = h(
    'button',
    { class: 'btn btn-sm btn-primary', type: 'submit', 'data-testid': 'attr-save' },
    'Save attributes',
  );
  const label = (text: string, control: HTMLElement) =>
    h('label', { class: 'attr-field' }, h('span', { class: 'field-label' }, text), control);
  const form = h(
    'form',
    { class: 'attr-form', 'data-testid': 'attr-form' },
    label('Class 图斑类型', changeClass),
    label('Legality 合法性', legality),
    label('Parcel 宗地号', parcelNo),
    label('Field check 核查', fieldResult),
    label('Note 备注', note),
    errors,
    save,
  );
  const element = h(
    'section',
    { class: 'panel attributes', 'aria-label': 'Attributes' },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Attributes')),
    form,
  );

  let lists: AppState['codeLists'] = null;
  let shown: PatchView | null = null;

  const draft = (): AttributeDraft => ({
    changeClass: changeClass.value || null,
    legality: legality.value || null,
    fieldResult: fieldResult.value || null,
    parcelNo: parcelNo.value.trim() || null,
    note: note.value.trim() || null,
  });

  const showErrors = (messages: string[]) =>
    replaceChildren(errors, ...messages.map((m) => h('p', {}, m)));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shown || !lists) return;
    const values = draft();
    const problems = validateAttributes(values, lists);
    for (const control of [changeClass, legality, fieldResult, parcelNo, note]) {
      control.removeAttribute('aria-invalid');
    }
    if (problems.length > 0) {
      const controls = { changeClass, legality, fieldResult, parcelNo, note };
      for (const p of problems) controls[p.field].setAttribute('aria-invalid', 'true');
      showErrors(problems.map((p) => p.message));
      return;
    }
    const changed = changedAttributes(values, shown.attributes);
    if (Object.keys(changed).length === 0) {
      showErrors([]);
      return;
    }
    save.disabled = true;
    options
      .save(shown.id, changed)
      .then(() => showErrors([]))
      .catch((err: unknown) => showErrors([err instanceof Error ? err.message : String(err)]))
      .finally(() => {
        save.disabled = !shown;
      });
  });

  // N puts the cursor here; Enter ends the note and saves it (Shift+Enter for a new line), and
  // the keys go back to the review desk.
  note.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    form.requestSubmit();
    note.blur();
  });

  const fill = (patch: PatchView | null) => {
    const a = patch?.attributes;
    changeClass.value = a?.changeClass ?? '';
    legality.value = a?.legality ?? '';
    fieldResult.value = a?.fieldResult ?? '';
    parcelNo.value = a?.parcelNo ?? '';
    note.value = a?.note ?? '';
  };

  return {
    element,
    focusNote: () => {
      if (shown) note.focus();
    },
    update(state) {
      if (state.codeLists !== lists) {
        lists = state.codeLists;
        const active = (l: readonly CodeEntry[] | undefined) => (l ?? []).filter((c) => c.active);
        replaceChildren(changeClass, ...codeOptions(activeClasses(lists), '— class —', true));
        replaceChildren(legality, ...codeOptions(active(lists?.legality), '— legality —'));
        replaceChildren(fieldResult, ...codeOptions(active(lists?.fieldResult), '— result —'));
        fill(shown);
      }
      const patch = selectedPatch(state);
      if (patch === shown) return;
      const sameId = patch?.id === shown?.id;
      shown = patch;
      for (const c of [changeClass, legality, fieldResult, parcelNo, note, save]) {
        c.disabled = !patch;
      }
      if (!sameId) showErrors([]);
      // A new patch, or the stored values changed (number key, undo): show what is stored. Text
      // being typed into the same patch is kept unless the stored text itself changed.
      if (!sameId || document.activeElement === null || !form.contains(document.activeElement)) {
        fill(patch);
      } else {
        changeClass.value = patch?.attributes?.changeClass ?? '';
      }
      element.dataset.changeClass = patch?.attributes?.changeClass ?? '';
    },
  };
}
