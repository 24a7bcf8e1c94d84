/**
 * Handlers of the project channels: the demo, new projects, opening a project file or a recent
 * entry, renaming and closing. Every project opened here is remembered in the recent list (with
 * its scene and counts), and the last one opened is the one the app reopens on start.
 */
import type { Channel, ParsedRequestOf, ResponseOf } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { ensureDemoProject } from './demo-project.js';
import { projectThumbnail } from './project-thumbnail.js';
import type { FileTokens } from './file-tokens.js';
import type { ProjectRegistry } from './project-registry.js';
import { RecentProjects } from './recent-projects.js';
import { typedLocalPath } from './typed-path.js';

type Handled =
  | 'project.openDemo'
  | 'project.create'
  | 'project.recent'
  | 'project.open'
  | 'project.openRecent'
  | 'project.rename'
  | 'project.close';

export type ProjectHandlers = {
  [C in Extract<Channel, Handled>]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>>;
};

export interface ProjectHandlerDeps {
  projects: ProjectRegistry;
  files: FileTokens;
  /** Asks the user for a project file (desktop dialog); absent: the typed path is used. */
  pickProject?: (typedPath: string | undefined) => Promise<string | null>;
  recent?: RecentProjects;
}

export function projectHandlers(deps: ProjectHandlerDeps): ProjectHandlers {
  const { projects, files } = deps;
  const recent = deps.recent ?? new RecentProjects();

  /**
   * Opens (or finds open) the project at `path`, remembers it (with its thumbnail, rendered on
   * the first opening and then kept in the project file) and returns its view.
   */
  async function openAndRemember(path: string, demo = false) {
    const id = projects.open(path);
    const store = projects.store(id);
    recent.opened({
      id,
      path,
      name: store.name,
      scene: `${store.scene('before').name} → ${store.scene('after').name}`,
      counts: store.counts(),
      demo,
      thumbnail: await projectThumbnail(store),
    });
    return await projects.view(id);
  }

  const liveCounts = (id: string) =>
    projects.isOpen(id) ? projects.store(id).counts() : undefined;

  return {
    'project.openDemo': async () => openAndRemember(await ensureDemoProject(), true),
    'project.create': async (req) => {
      const id = await projects.create(
        req.name,
        files.pathOf(req.beforeToken),
        files.pathOf(req.afterToken),
      );
      return openAndRemember(projects.pathOf(id));
    },
    'project.recent': async () => recent.list(liveCounts),
    'project.open': async (req) => {
      const path = deps.pickProject
        ? await deps.pickProject(req.path)
        : typedLocalPath(
            req.path,
            'file',
            'Type the path of a .landwatch project file on this machine.',
          );
      return path === null ? null : openAndRemember(path);
    },
    'project.openRecent': async (req) => {
      const entry = recent.entry(req.projectId);
      if (!entry) {
        if (projects.isOpen(req.projectId)) return await projects.view(req.projectId);
        throw new LandWatchError(
          'E_NOT_FOUND',
          `Project ${req.projectId} is not in the recent list.`,
        );
      }
      return openAndRemember(entry.path, entry.demo);
    },
    'project.rename': async (req) => {
      projects.store(req.projectId).rename(req.name);
      recent.update(req.projectId, { name: req.name });
      return await projects.view(req.projectId);
    },
    'project.close': async (req) => {
      if (projects.isOpen(req.projectId)) {
        recent.update(req.projectId, { counts: projects.store(req.projectId).counts() });
      }
      const closed = projects.close(req.projectId);
      recent.closed(req.projectId, req.forget);
      return { closed };
    },
  };
}
