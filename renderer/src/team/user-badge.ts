/** Who is logged in, with their role, and a Log out button (for the toolbar and the list). */
import type { LandWatchApi, TeamUserView } from '../../../electron/common/contract.js';
import { h } from '../ui/dom.js';

export function createUserBadge(
  api: LandWatchApi,
  user: TeamUserView,
  onLoggedOut: () => void,
): HTMLElement {
  const logout = h(
    'button',
    { type: 'button', class: 'team-logout', 'data-testid': 'team-logout' },
    'Log out',
  );
  logout.addEventListener('click', () => {
    logout.disabled = true;
    // Logged out either way: a session the server already ended is just as gone.
    void api
      .invoke('team.logout', {})
      .catch(() => undefined)
      .then(onLoggedOut);
  });
  return h(
    'span',
    { class: 'team-badge', 'data-testid': 'team-user-badge', title: `Logged in as ${user.name}` },
    h('span', { class: 'team-badge-name' }, user.name),
    h('span', { class: `team-role team-role-${user.role}` }, user.role),
    logout,
  );
}
