/** The dark toolbar: project actions on the left, comparison mode and help on the right. */
import { keyHint } from '../keys.js';
import type { AppState, CompareMode } from '../state.js';
import { h } from './dom.js';

export interface ToolbarActions {
  openDemo(): void;
  projects(): void;
  newProject(): void;
  detect(): void;
  adapt(): void;
  exportPatches(): void;
  setCompareMode(mode: CompareMode): void;
  toggleHeat(): void;
  toggleImagery(): void;
  help(): void;
}

export interface Toolbar {
  element: HTMLElement;
  update(state: AppState): void;
}

export function createToolbar(actions: ToolbarActions): Toolbar {
  const button = (label: string, testId: string, title: string, onclick: () => void) =>
    h('button', { class: 'tb-btn', type: 'button', title, 'data-testid': testId, onclick }, label);

  const demo = button('Open demo', 'open-demo', 'Open the demo project', actions.openDemo);
  const projects = button(
    'Projects',
    'projects-open',
    'Recent projects: open, rename, close; open a project file',
    actions.projects,
  );
  const create = button(
    'New project',
    'new-project',
    'Create a project from two images',
    actions.newProject,
  );
  const detect = button(
    'Detect',
    'detect-open',
    keyHint('Run change detection', 'detect'),
    actions.detect,
  );
  const adapt = button(
    'Adapt',
    'adapt-open',
    keyHint('Adapt the model to this project from your decisions', 'adapt'),
    actions.adapt,
  );
  const exportBtn = button(
    'Export',
    'export-open',
    'Export patches to a GIS file',
    actions.exportPatches,
  );
  const swipe = h(
    'button',
    {
      class: 'seg-btn',
      type: 'button',
      'data-mode': 'swipe',
      'aria-pressed': 'true',
      onclick: () => actions.setCompareMode('swipe'),
    },
    'Swipe',
  );
  const blend = h(
    'button',
    {
      class: 'seg-btn',
      type: 'button',
      'data-mode': 'blend',
      'aria-pressed': 'false',
      onclick: () => actions.setCompareMode('blend'),
    },
    'Blend',
  );
  const flicker = h(
    'button',
    {
      class: 'seg-btn',
      type: 'button',
      'data-mode': 'flicker',
      'aria-pressed': 'false',
      title: 'One date at a time; T shows the other',
      onclick: () => actions.setCompareMode('flicker'),
    },
    'Flicker',
  );
  const side = h(
    'button',
    {
      class: 'seg-btn',
      type: 'button',
      'data-mode': 'side',
      'aria-pressed': 'false',
      title: keyHint('Both dates side by side, views in step', 'side_by_side'),
      onclick: () => actions.setCompareMode('side'),
    },
    'Side',
  );
  const heat = button(
    'Heat',
    'heat-toggle',
    keyHint("The run's change probability as a heat layer", 'heat'),
    actions.toggleHeat,
  );
  heat.setAttribute('aria-pressed', 'false');
  const imagery = button(
    'Imagery',
    'imagery-toggle',
    keyHint('Bands and contrast stretch per date', 'imagery'),
    actions.toggleImagery,
  );
  const mode = h(
    'div',
    {
      class: 'segmented',
      role: 'group',
      'aria-label': 'Comparison mode (S)',
      title: 'Comparison mode (S)',
      'data-testid': 'mode-toggle',
    },
    swipe,
    blend,
    flicker,
    side,
  );
  const projectName = h('span', { class: 'tb-project', 'data-testid': 'project-name-label' });
  const help = button('?', 'help-open', 'Keyboard shortcuts (?)', actions.help);
  help.classList.add('tb-help');

  const element = h(
    'header',
    { class: 'toolbar' },
    h('span', { class: 'brand' }, 'LandWatch'),
    projectName,
    h('span', { class: 'tb-sep' }),
    projects,
    demo,
    create,
    detect,
    adapt,
    exportBtn,
    h('span', { class: 'tb-spacer' }),
    mode,
    heat,
    imagery,
    help,
  );

  return {
    element,
    update(state) {
      projectName.textContent = state.project ? state.project.name : 'No project';
      projectName.title = state.project ? `${state.project.name} · ${state.project.crs}` : '';
      detect.disabled = !state.project;
      adapt.disabled = !state.project;
      exportBtn.disabled = !state.project;
      swipe.setAttribute('aria-pressed', String(state.compareMode === 'swipe'));
      blend.setAttribute('aria-pressed', String(state.compareMode === 'blend'));
      flicker.setAttribute('aria-pressed', String(state.compareMode === 'flicker'));
      side.setAttribute('aria-pressed', String(state.compareMode === 'side'));
      heat.setAttribute('aria-pressed', String(state.heat));
    },
  };
}
