/**
 * What the patch panel shows of a team at work: who else is reviewing the open patch (its
 * editing buttons are then disabled), why it is not this user's to edit, a write refused as
 * stale (who changed it and when; the patch is reloaded), a supervisor's override of the
 * analyst's decision, and the second check (with the supervisor's button to give one).
 */
import type { PatchView } from '../../../electron/common/contract.js';
import { selectedPatch, type AppState } from '../state.js';
import { h } from '../ui/dom.js';
import { lockReason, otherLease, overrideText, type TeamSnapshot } from './team-client.js';

export interface TeamPanel {
  element: HTMLElement;
  update(state: AppState, team: TeamSnapshot): void;
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function show(el: HTMLElement, text: string | null): void {
  el.hidden = text === null;
  el.textContent = text ?? '';
}

export function createTeamPanel(onCheck: (patch: PatchView) => void): TeamPanel {
  const badge = h('span', {
    class: 'badge badge-lease',
    'data-testid': 'lease-badge',
    hidden: true,
  });
  const note = h('p', { class: 'team-note muted', 'data-testid': 'team-note', hidden: true });
  const stale = h('p', {
    class: 'team-stale',
    role: 'alert',
    'data-testid': 'stale-write-message',
    hidden: true,
  });
  const override = h('p', { class: 'team-override', 'data-testid': 'override-note', hidden: true });
  const checked = h('p', {
    class: 'team-check muted',
    'data-testid': 'second-check-note',
    hidden: true,
  });
  let current: PatchView | null = null;
  const checkButton = h(
    'button',
    {
      class: 'btn btn-ghost btn-sm',
      type: 'button',
      title: 'Mark this decision second-checked',
      'data-testid': 'second-check',
      hidden: true,
      onclick: () => {
        if (current) onCheck(current);
      },
    },
    'Second-check',
  );
  const element = h(
    'div',
    { class: 'team-panel', hidden: true },
    badge,
    note,
    stale,
    override,
    h('div', { class: 'team-check-row' }, checked, checkButton),
  );

  return {
    element,
    update(state, team) {
      element.hidden = !team.active;
      const patch = team.active ? selectedPatch(state) : null;
      current = patch;
      const lease = otherLease(team, patch);
      show(badge, lease ? `Being reviewed by ${lease.user}` : null);
      badge.title = lease
        ? `since ${time(lease.since)}, until ${time(lease.expiresAt)} unless renewed`
        : '';
      const reason = lockReason(team, patch);
      show(note, reason && !lease ? reason : null);
      show(stale, patch && team.stale?.patchId === patch.id ? team.stale.message : null);
      show(override, overrideText(patch));
      const check = patch?.secondCheck;
      show(checked, check ? `Second-checked by ${check.by} at ${time(check.at)}` : null);
      checkButton.hidden = !(
        team.role === 'supervisor' &&
        patch &&
        patch.state !== 'unreviewed' &&
        patch.reviewer !== team.me &&
        !check
      );
    },
  };
}
