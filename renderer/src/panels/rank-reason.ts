/**
 * "Ranked high because …" under the selected patch: the features that weighed most for its place
 * in the learnt ranking (`rank.explain`), with their terms in the log-odds. Fetched when the
 * selection or the learnt ranking changes; an answer for a selection since left is dropped.
 */
import type { LandWatchApi, RankExplanationView } from '../../../electron/common/contract.js';
import type { AppState } from '../state.js';
import { h, replaceChildren } from '../ui/dom.js';

export interface RankReasonPanel {
  element: HTMLElement;
  update(state: AppState): void;
}

/** "large area (+0.8), high model confidence (+0.6)". */
export function reasonsText(e: RankExplanationView): string {
  return e.reasons
    .map(
      (r) =>
        `${r.phrase} (${r.contribution >= 0 ? '+' : '−'}${Math.abs(r.contribution).toFixed(1)})`,
    )
    .join(', ');
}

export function createRankReason(api: LandWatchApi): RankReasonPanel {
  const element = h('p', { class: 'rank-reason hint', 'data-testid': 'rank-reason', hidden: true });
  let shownKey = '';
  let shownLearnt: AppState['learnt'] = null;
  let asked = 0;

  function show(e: RankExplanationView): void {
    element.hidden = false;
    element.dataset.verdict = e.verdict ?? '';
    if (!e.ready || e.probability === null) {
      replaceChildren(element, e.message ?? 'No learnt ranking yet.');
      return;
    }
    const because = e.reasons.length > 0 ? ` because: ${reasonsText(e)}` : '';
    replaceChildren(
      element,
      h(
        'strong',
        {},
        `Ranked ${e.verdict} (${Math.round(e.probability * 100)} % likely confirmed)`,
      ),
      because,
    );
  }

  return {
    element,
    update(state) {
      const projectId = state.project?.id;
      const key = `${projectId}|${state.selectedId}`;
      if (key === shownKey && state.learnt === shownLearnt) return;
      shownKey = key;
      shownLearnt = state.learnt;
      const ticket = ++asked;
      if (!projectId || !state.selectedId || !state.learnt) {
        element.hidden = true;
        return;
      }
      if (!state.learnt.ready) {
        show({
          ready: false,
          probability: null,
          verdict: null,
          reasons: [],
          message:
            state.learnt.needed > 0 || !state.learnt.message
              ? `Learnt rank: ${state.learnt.needed} more decisions needed.`
              : `Learnt rank: ${state.learnt.message}`,
        });
        return;
      }
      api
        .invoke('rank.explain', { projectId, patchId: state.selectedId })
        .then((e) => {
          if (ticket === asked) show(e);
        })
        .catch(() => {
          if (ticket === asked) element.hidden = true; // a drawn or deleted patch: no rank
        });
    },
  };
}
