/**
 * Work packages of a team project: "Assigned to me" narrows the queue to the patches of this
 * user's packages; a supervisor also sees everyone's progress (reviewed of total, confirmed,
 * rejected), assigns the marked patches to a user as a new package, and deletes packages.
 */
import type { WorkPackageView } from '../../../electron/common/contract.js';
import { h, replaceChildren } from '../ui/dom.js';
import type { TeamSnapshot } from './team-client.js';

export interface PackageListDeps {
  onAssignedToMe(on: boolean): void;
  /** Assigns the marked patches (and the selected one) to `assignee` as package `name`. */
  onCreate(name: string, assignee: string): void;
  onDelete(pkg: WorkPackageView): void;
}

export interface PackageList {
  element: HTMLElement;
  update(team: TeamSnapshot): void;
}

function row(pkg: WorkPackageView, onDelete: (pkg: WorkPackageView) => void): HTMLElement {
  return h(
    'tr',
    { 'data-package-id': pkg.id },
    h('td', {}, pkg.name),
    h('td', {}, pkg.assignee),
    h('td', { class: 'num' }, `${pkg.reviewed} / ${pkg.total}`),
    h('td', { class: 'num' }, pkg.confirmed),
    h('td', { class: 'num' }, pkg.rejected),
    h(
      'td',
      {},
      h(
        'button',
        {
          class: 'btn btn-ghost btn-sm',
          type: 'button',
          title: `Delete package "${pkg.name}" (its patches become open again)`,
          onclick: () => onDelete(pkg),
        },
        '✕',
      ),
    ),
  );
}

export function createPackageList(deps: PackageListDeps): PackageList {
  const mine = h('input', {
    type: 'checkbox',
    'data-testid': 'assigned-to-me',
    onchange: () => deps.onAssignedToMe(mine.checked),
  });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'package-list', 'data-testid': 'package-list' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          ['Package', ''],
          ['Assignee', ''],
          ['Done', 'Reviewed of all its patches'],
          ['Conf.', 'Confirmed'],
          ['Rej.', 'Rejected'],
          ['', ''],
        ].map(([text, title]) => h('th', title ? { title } : {}, text)),
      ),
    ),
    body,
  );
  const name = h('input', { class: 'input', placeholder: 'Package name', maxlength: 200 });
  const assignee = h('input', {
    class: 'input',
    placeholder: 'Assignee (user name)',
    maxlength: 64,
  });
  const form = h(
    'form',
    {
      class: 'package-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (name.value.trim() && assignee.value.trim())
          deps.onCreate(name.value.trim(), assignee.value.trim());
      },
    },
    name,
    assignee,
    h('button', { class: 'btn btn-sm', type: 'submit' }, 'Assign marked patches'),
  );
  const supervisor = h('div', { class: 'package-supervisor' }, table, form);
  const element = h(
    'section',
    { class: 'panel packages', 'aria-label': 'Work packages', hidden: true },
    h('header', { class: 'panel-header' }, h('h2', {}, 'Work packages')),
    h('label', { class: 'check' }, mine, ' Assigned to me'),
    supervisor,
  );
  let shown: readonly WorkPackageView[] | null = null;

  return {
    element,
    update(team) {
      element.hidden = !team.active || team.role === 'viewer';
      mine.checked = team.assignedToMe;
      supervisor.hidden = team.role !== 'supervisor';
      if (team.packages === shown) return;
      shown = team.packages;
      if (team.packages.length === 0)
        replaceChildren(
          body,
          h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No packages yet.')),
        );
      else replaceChildren(body, ...team.packages.map((p) => row(p, deps.onDelete)));
    },
  };
}
