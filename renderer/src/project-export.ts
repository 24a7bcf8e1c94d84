/**
 * The Export dialog bound to the open project: export, pre-export check and evidence report all
 * go to the project shown now.
 */
import type { LandWatchApi } from '../../electron/common/contract.js';
import { createExportDialog, type ExportChoice } from './panels/export-dialog.js';
import type { AppState, Store } from './state.js';

function exportRequest(projectId: string, choice: ExportChoice) {
  return {
    projectId,
    format: choice.format,
    profile: choice.profile,
    ...(choice.states ? { states: choice.states } : {}),
    ...(choice.encoding ? { encoding: choice.encoding } : {}),
  };
}

export function createProjectExport(
  api: LandWatchApi,
  store: Store<AppState>,
  locationIsUrl: () => boolean,
  onError: (err: unknown, context?: string) => void,
) {
  return createExportDialog({
    locationIsUrl,
    run: (choice) => {
      const project = store.get().project;
      if (!project) return Promise.resolve(null);
      return api.invoke('export.run', exportRequest(project.id, choice));
    },
    check: (choice) => {
      const project = store.get().project;
      if (!project) return Promise.reject(new Error('No project is open.'));
      return api.invoke('export.check', exportRequest(project.id, choice));
    },
    report: (format, states) => {
      const project = store.get().project;
      if (!project) return Promise.resolve(null);
      return api.invoke('report.evidence', {
        projectId: project.id,
        format,
        ...(states ? { states } : {}),
      });
    },
    onError,
  });
}
