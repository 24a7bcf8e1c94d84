/**
 * The status bar: cursor position (scene CRS and lon/lat), the selected patch's area, review
 * progress, a running detection and the execution provider of the last run.
 */
import { formatArea, formatLonLat, formatMu, formatXY } from './format.js';
import type { CursorPosition } from './map/map-view.js';
import { jobPercent, reviewProgress, selectedPatch, type AppState } from './state.js';
import { h } from './ui/dom.js';

export interface StatusBar {
  element: HTMLElement;
  update(state: AppState): void;
  setCursor(position: CursorPosition | null): void;
}

export function createStatusBar(): StatusBar {
  const cursor = h('span', { class: 'status-item status-cursor', 'data-testid': 'status-cursor' });
  const lonLat = h('span', { class: 'status-item status-lonlat', 'data-testid': 'status-lonlat' });
  const selection = h('span', { class: 'status-item', 'data-testid': 'status-selection' });
  const progress = h('span', { class: 'status-item', 'data-testid': 'status-progress' });
  const job = h('span', { class: 'status-item status-job', 'data-testid': 'status-job' });
  const ep = h('span', {
    class: 'status-item',
    'data-testid': 'status-ep',
    title: 'Execution provider of the last detection',
  });
  const element = h(
    'footer',
    { class: 'status-bar' },
    cursor,
    lonLat,
    h('span', { class: 'status-spacer' }),
    job,
    selection,
    progress,
    ep,
  );
  let crs = '';
  let geographic = false;

  const showCursor = (position: CursorPosition | null) => {
    if (!position) {
      cursor.textContent = crs ? `${crs}: —` : '—';
      lonLat.textContent = '';
      return;
    }
    cursor.textContent = `${crs}: ${formatXY(position.x, position.y, geographic)}`;
    lonLat.textContent = position.lonLat
      ? formatLonLat(position.lonLat[0], position.lonLat[1])
      : 'lon/lat unavailable';
  };
  showCursor(null);

  return {
    element,
    setCursor: showCursor,
    update(state) {
      const projectCrs = state.project?.crs ?? '';
      if (projectCrs !== crs) {
        crs = projectCrs;
        geographic = /^(EPSG:4326|EPSG:4490|OGC:CRS84)$/i.test(crs);
        showCursor(null);
      }
      const patch = selectedPatch(state);
      selection.textContent = patch
        ? `#${patch.number} · ${formatArea(patch.areaM2)} · ${formatMu(patch.areaMu)}`
        : 'No selection';
      const { reviewed, total } = reviewProgress(state.patches);
      progress.textContent = `${reviewed} of ${total} reviewed`;
      const running =
        state.job && (state.job.status === 'running' || state.job.status === 'starting');
      job.hidden = !running;
      job.textContent =
        running && state.job ? `Detecting ${jobPercent(state.job)}% · ${state.job.phase}` : '';
      ep.textContent = `EP: ${state.lastExecutionProvider ?? '—'}`;
    },
  };
}
