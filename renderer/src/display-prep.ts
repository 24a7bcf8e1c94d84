/**
 * Before a project's imagery is shown: when a scene cannot be read fast straight from its file
 * (stripped, no overviews), the engine builds a display copy once (`display.prepare`). This shows
 * that one-time step over the map, with progress and Cancel, and resolves to the project as it is
 * afterwards (its scene URLs pointing at the copies), or null when the analyst cancelled.
 */
import type { ApiEvent, LandWatchApi, ProjectView } from '../../electron/common/contract.js';
import { h } from './ui/dom.js';
import { createProgressBar } from './ui/progress-bar.js';

export interface DisplayPrep {
  /** Shown over the map while a copy is built. */
  element: HTMLElement;
  /** Makes the project's scenes displayable; null when cancelled. */
  prepare(project: ProjectView): Promise<ProjectView | null>;
}

type DisplayEvent = Extract<ApiEvent, { type: `display.${string}` }>;

export function createDisplayPrep(api: LandWatchApi): DisplayPrep {
  const label = h('span', { 'data-testid': 'display-prep-label' });
  const bar = createProgressBar('Preparing the imagery for display', 'display-prep-progress');
  const cancel = h('button', { type: 'button', 'data-testid': 'display-prep-cancel' }, 'Cancel');
  const element = h('div', { class: 'display-prep', 'data-testid': 'display-prep' }, label);
  element.append(bar.element, cancel);
  element.hidden = true;
  let current: string | null = null;

  cancel.addEventListener('click', () => {
    if (current) void api.invoke('display.cancel', { jobId: current });
  });

  async function prepare(project: ProjectView): Promise<ProjectView | null> {
    const { before, after } = project.scenes;
    if (before.display !== 'pending' && after.display !== 'pending') return project;
    // Listen first: the job's events may arrive before its id does.
    const seen: DisplayEvent[] = [];
    let wake: (() => void) | null = null;
    const stop = api.onEvent((event) => {
      if (!event.type.startsWith('display.') || event.projectId !== project.id) return;
      seen.push(event as DisplayEvent);
      wake?.();
    });
    try {
      const { jobId } = await api.invoke('display.prepare', { projectId: project.id });
      if (jobId !== null) {
        current = jobId;
        label.textContent = 'Preparing the imagery for display (once per scene)…';
        bar.set(0);
        element.hidden = false;
        const end = await waitForEnd(jobId);
        if (end.type === 'display.cancelled') return null;
        if (end.type === 'display.failed') throw new Error(end.error.message);
      }
      return await api.invoke('project.get', { projectId: project.id });
    } finally {
      stop();
      current = null;
      element.hidden = true;
    }

    async function waitForEnd(jobId: string): Promise<DisplayEvent> {
      for (;;) {
        while (seen.length > 0) {
          const event = seen.shift() as DisplayEvent;
          if (event.jobId !== jobId) continue;
          if (event.type !== 'display.progress') return event;
          const part = event.total > 0 ? event.done / event.total : 0;
          bar.set(Math.round(((event.role === 'before' ? 0 : 1) + part) * 50));
          label.textContent = `Preparing the ${event.role} image for display (once)…`;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    }
  }

  return { element, prepare };
}
