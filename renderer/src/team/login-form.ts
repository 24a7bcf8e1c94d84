/**
 * The team server's login form: user name and password; a wrong pair says so and keeps the name.
 * `notice` is shown above it (e.g. "Your session expired — log in again").
 */
import type { LandWatchApi, TeamLoginView } from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { h } from '../ui/dom.js';

export function createLoginForm(options: {
  api: LandWatchApi;
  notice?: string;
  onLoggedIn: (login: TeamLoginView) => void;
}): HTMLElement {
  const user = h('input', {
    type: 'text',
    name: 'user',
    autocomplete: 'username',
    required: true,
    'data-testid': 'team-login-user',
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'team-login-password',
  });
  const error = h('p', { class: 'team-error', role: 'alert', 'data-testid': 'team-login-error' });
  error.hidden = true;
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn-primary', 'data-testid': 'team-login-submit' },
    'Log in',
  );
  const form = h(
    'form',
    { class: 'team-card', 'data-testid': 'team-login' },
    h('h1', {}, 'LandWatch team'),
    options.notice ? h('p', { class: 'team-notice' }, options.notice) : null,
    h('label', {}, 'User name', user),
    h('label', {}, 'Password', password),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    options.api
      .invoke('team.login', { user: user.value.trim(), password: password.value })
      .then((login) => options.onLoggedIn(login))
      .catch((err: unknown) => {
        error.textContent = describeError(err).message;
        error.hidden = false;
        password.value = '';
        password.focus();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  queueMicrotask(() => user.focus());
  return h('div', { class: 'team-page' }, form);
}
