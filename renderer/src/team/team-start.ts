/**
 * The window of a team server (`landwatch serve --team`): log in, pick a team project, then the
 * usual app with the user and role in the toolbar. A request refused for want of a session
 * (expired or ended elsewhere) brings the login form back with a notice; logging in again
 * reopens the same project.
 */
import type { LandWatchApi, TeamUserView } from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { startApp } from '../app.js';
import { h } from '../ui/dom.js';
import { createLoginForm } from './login-form.js';
import { createProjectList } from './project-list.js';
import { isSessionLost, withSessionWatch } from './team-api.js';
import { createUserBadge } from './user-badge.js';
import './team.css';

export const SESSION_EXPIRED = 'Your session expired — log in again';

export function startTeam(root: HTMLElement, api: LandWatchApi): void {
  const params = new URLSearchParams(window.location.search);
  const watched = withSessionWatch(api, () =>
    showLogin(SESSION_EXPIRED, () => window.location.reload()),
  );
  const loggedOut = () => window.location.assign(window.location.pathname);
  const badge = (user: TeamUserView) => createUserBadge(watched, user, loggedOut);

  function showLogin(notice: string | undefined, then: (user: TeamUserView) => void): void {
    root.replaceChildren(
      createLoginForm({ api, ...(notice ? { notice } : {}), onLoggedIn: (l) => then(l.user) }),
    );
  }

  function loggedIn(user: TeamUserView): void {
    const wanted = params.get('project');
    if (wanted) return openProject(user, wanted);
    root.replaceChildren(
      createProjectList({
        api: watched,
        badge: badge(user),
        onOpen: (projectId) => openProject(user, projectId),
      }),
    );
  }

  function openProject(user: TeamUserView, projectId: string): void {
    params.set('project', projectId);
    window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
    startApp(root, watched, 'http');
    root.classList.add('team-mode');
    // A viewer reads only: the review and edit controls would all be refused (HTTP 403).
    if (user.role === 'viewer') root.classList.add('team-read-only');
    const list = h(
      'button',
      {
        type: 'button',
        class: 'tb-btn',
        'data-testid': 'team-projects-open',
        title: 'The projects of this team server',
        onclick: () => window.location.assign(window.location.pathname),
      },
      'Team projects',
    );
    root.querySelector('.toolbar .tb-sep')?.after(list);
    root.querySelector('.toolbar')?.append(badge(user));
  }

  api
    .invoke('team.me', {})
    .then(loggedIn)
    .catch((err: unknown) => {
      if (isSessionLost(err)) return showLogin(undefined, loggedIn);
      root.replaceChildren(
        h(
          'div',
          { class: 'team-page' },
          h(
            'p',
            { class: 'team-error' },
            `Cannot reach the team server: ${describeError(err).message}`,
          ),
        ),
      );
    });
}
