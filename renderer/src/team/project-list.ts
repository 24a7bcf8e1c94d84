/** The team projects of the server, to pick one to open; with the user's badge above them. */
import type { LandWatchApi, TeamProjectView } from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { h } from '../ui/dom.js';

const STATES = ['unreviewed', 'confirmed', 'rejected', 'field_check'] as const;

function countsLine(p: TeamProjectView): string {
  const total = STATES.reduce((n, s) => n + p.counts[s], 0);
  const decided = total - p.counts.unreviewed;
  return `${total} patches · ${decided} decided · ${p.counts.field_check} to check in the field`;
}

export function createProjectList(options: {
  api: LandWatchApi;
  badge: HTMLElement;
  onOpen: (projectId: string) => void;
}): HTMLElement {
  const list = h('ul', { class: 'team-projects', 'data-testid': 'team-projects' });
  const status = h('p', { class: 'team-notice' }, 'Loading the team projects…');
  options.api
    .invoke('team.projects', {})
    .then((projects) => {
      status.textContent =
        projects.length === 0
          ? 'This team database has no projects yet (a round creates them: landwatch round).'
          : 'Open a project:';
      for (const p of projects) {
        list.append(
          h(
            'li',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'team-project',
                'data-testid': `team-project-${p.schema}`,
                onclick: () => options.onOpen(p.id),
              },
              h('strong', {}, p.name),
              h('span', { class: 'team-project-meta' }, `${p.schema} · ${countsLine(p)}`),
            ),
          ),
        );
      }
    })
    .catch((err: unknown) => {
      status.textContent = `Cannot list the team projects: ${describeError(err).message}`;
      status.classList.add('team-error');
    });
  return h(
    'div',
    { class: 'team-page' },
    h('div', { class: 'team-card' }, options.badge, h('h1', {}, 'Team projects'), status, list),
  );
}
