/**
 * New project: name it, pick the before and after images with `file.pickImage`, then
 * `project.create`. In the desktop app main opens a native file dialog (no path is sent); over
 * HTTP the analyst types a path on the serving machine.
 */
import type { ProjectView } from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { h } from '../ui/dom.js';
import { createModal } from '../ui/modal.js';

type Role = 'before' | 'after';

export interface OpenDialogOptions {
  /** Whether paths are typed (HTTP) or chosen in a native dialog (Electron). */
  typedPaths(): boolean;
  pickImage(role: Role, path: string | undefined): Promise<{ token: string; name: string } | null>;
  create(name: string, beforeToken: string, afterToken: string): Promise<ProjectView>;
  onCreated(project: ProjectView): void;
  onError(err: unknown, context: string): void;
}

export interface OpenDialog {
  open(): void;
}

export function createOpenDialog(options: OpenDialogOptions): OpenDialog {
  const modal = createModal('New project', 'new-project-dialog');
  const name = h('input', {
    class: 'input',
    type: 'text',
    maxlength: 200,
    placeholder: 'e.g. Riverside 2024 Q1 vs Q3',
    'data-testid': 'project-name',
  });
  const picked: Record<Role, { token: string; name: string } | null> = {
    before: null,
    after: null,
  };
  const create = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'project-create' },
    'Create',
  );
  const cancel = h('button', { class: 'btn', type: 'button' }, 'Cancel');
  const formError = h('p', { class: 'form-error', role: 'alert' });

  function updateCreate(): void {
    create.disabled = !(picked.before && picked.after && name.value.trim());
  }

  function picker(role: Role): { element: HTMLElement; reset(): void } {
    const label = role === 'before' ? 'Before image (earlier date)' : 'After image (later date)';
    const path = h('input', {
      class: 'input',
      type: 'text',
      placeholder: '/data/imagery/scene.tif',
      spellcheck: 'false',
      'aria-label': `${label}: path on the server`,
      'data-testid': `pick-${role}-path`,
    });
    const choose = h(
      'button',
      { class: 'btn', type: 'button', 'data-testid': `pick-${role}` },
      'Choose…',
    );
    const chosen = h(
      'span',
      { class: 'picked muted', 'data-testid': `picked-${role}` },
      'Nothing chosen',
    );
    const run = async () => {
      const typed = options.typedPaths();
      const value = path.value.trim();
      if (typed && !value) {
        chosen.textContent = 'Type the path of a GeoTIFF on the server first.';
        return;
      }
      choose.disabled = true;
      try {
        const result = await options.pickImage(role, typed ? value : undefined);
        if (result) {
          picked[role] = result;
          chosen.textContent = result.name;
          chosen.classList.remove('muted');
          if (!name.value.trim() && role === 'before')
            name.value = result.name.replace(/\.[^.]+$/, '');
        }
      } catch (err) {
        formError.textContent = describeError(err).message;
        options.onError(err, `Choosing the ${role} image`);
      } finally {
        choose.disabled = false;
        updateCreate();
      }
    };
    choose.addEventListener('click', () => void run());
    path.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') void run();
    });
    const element = h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-label' }, label),
      h('div', { class: 'pick-row' }, path, choose),
      chosen,
    );
    return {
      element,
      reset() {
        picked[role] = null;
        path.value = '';
        path.hidden = !options.typedPaths();
        choose.textContent = options.typedPaths() ? 'Use' : 'Choose…';
        chosen.textContent = 'Nothing chosen';
        chosen.classList.add('muted');
      },
    };
  }

  const pickers = [picker('before'), picker('after')];
  modal.body.append(
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Project name'), name),
    ...pickers.map((p) => p.element),
    h('p', { class: 'hint' }, 'Both images should cover the same area; GeoTIFF / COG files.'),
    formError,
  );
  modal.footer.append(cancel, create);
  name.addEventListener('input', updateCreate);
  cancel.addEventListener('click', () => modal.close());
  create.addEventListener('click', async () => {
    if (!picked.before || !picked.after) return;
    create.disabled = true;
    try {
      const project = await options.create(
        name.value.trim(),
        picked.before.token,
        picked.after.token,
      );
      modal.close();
      options.onCreated(project);
    } catch (err) {
      formError.textContent = describeError(err).message;
      options.onError(err, 'Creating the project');
    } finally {
      updateCreate();
    }
  });

  return {
    open() {
      name.value = '';
      formError.textContent = '';
      for (const p of pickers) p.reset();
      updateCreate();
      modal.open();
      name.focus();
    },
  };
}
