/**
 * The Projects dialog: the recent projects (name, scene, open / confirmed counts; the demo is one
 * entry among them), each to open, rename or close, and "Open project file…" (a file dialog on
 * the desktop, a typed path on the served app) and "Open team server…" (its login page, in a
 * window of its own on the desktop). Also decides which project the app opens on
 * start: the last one opened and not closed, else the demo.
 */
import type {
  LandWatchApi,
  ProjectView,
  RecentProjectView,
} from '../../../electron/common/contract.js';
import { describeError } from '../api/errors.js';
import { h, replaceChildren } from '../ui/dom.js';
import { createModal, promptComment } from '../ui/modal.js';

export interface ProjectsDialogOptions {
  api: LandWatchApi;
  /** Paths are typed (served app) instead of picked in a dialog. */
  typedPaths(): boolean;
  /** The project shown now, if any. */
  currentId(): string | null;
  onOpen(project: ProjectView): void;
  /** The shown project was renamed. */
  onRenamed(project: ProjectView): void;
  /** The shown project was closed. */
  onClosed(): void;
  newProject(): void;
  onError(err: unknown, context: string): void;
}

export interface ProjectsDialog {
  open(): void;
  close(): void;
}

/** The project to show on start: the last one opened (and not closed), else the demo. */
export async function startProject(api: LandWatchApi): Promise<ProjectView> {
  const recent = await api.invoke('project.recent', {}).catch(() => []);
  const last = recent.find((e) => e.last && !e.missing);
  if (last) {
    try {
      return await api.invoke('project.openRecent', { projectId: last.id });
    } catch {
      // An unreadable last project must not keep the app from starting: the demo opens instead.
    }
  }
  return api.invoke('project.openDemo', {});
}

/**
 * Opens a team server's page: in a window of its own on the desktop, else this page goes there.
 * Plain http beyond this machine is refused once with the reason, then opened if the user says
 * the network is trusted. Null when the user declines.
 */
async function openTeamServer(
  api: LandWatchApi,
  typed: string,
): Promise<{ url: string; opened: boolean } | null> {
  try {
    return await api.invoke('team.openServer', { url: typed });
  } catch (err) {
    const { message } = describeError(err);
    if (!message.includes('(http)')) throw err;
    if (!window.confirm(`${message}\n\nOpen it anyway?`)) return null;
    return api.invoke('team.openServer', { url: typed, allowInsecure: true });
  }
}

function countsText(e: RecentProjectView): string {
  return `${e.counts.unreviewed} open · ${e.counts.confirmed} confirmed`;
}

export function createProjectsDialog(options: ProjectsDialogOptions): ProjectsDialog {
  const modal = createModal('Projects', 'projects-dialog');
  const list = h('ul', { class: 'recent-list', 'data-testid': 'recent-list' });
  const openFile = h(
    'button',
    { class: 'btn', type: 'button', 'data-testid': 'project-open-file' },
    'Open project file…',
  );
  const create = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'projects-new' },
    'New project…',
  );
  const openTeam = h(
    'button',
    {
      class: 'btn',
      type: 'button',
      'data-testid': 'project-open-team',
      title: 'Open a team project on a LandWatch team server (you log in there)',
    },
    'Open team server…',
  );
  modal.body.append(list);
  modal.footer.append(openTeam, openFile, create);

  const act = (context: string, action: () => Promise<void>) =>
    void action().catch((err: unknown) => options.onError(err, context));

  function button(label: string, testId: string, onclick: () => void, title = label) {
    return h(
      'button',
      { class: 'btn btn-sm', type: 'button', title, 'data-testid': testId, onclick },
      label,
    );
  }

  function entryRow(e: RecentProjectView): HTMLElement {
    const current = e.id === options.currentId();
    const open = () =>
      act(`Opening ${e.name}`, async () => {
        options.onOpen(await options.api.invoke('project.openRecent', { projectId: e.id }));
        modal.close();
      });
    const rename = () =>
      act(`Renaming ${e.name}`, async () => {
        const name = await promptComment(`Rename “${e.name}”`, e.name);
        if (!name) return;
        const view = await options.api.invoke('project.rename', { projectId: e.id, name });
        if (current) options.onRenamed(view);
        await refresh();
      });
    const close = () =>
      act(`Closing ${e.name}`, async () => {
        await options.api.invoke('project.close', { projectId: e.id });
        if (current) options.onClosed();
        await refresh();
      });
    return h(
      'li',
      {
        class: `recent-row${current ? ' current' : ''}`,
        'data-testid': 'recent-project',
        'data-project-id': e.id,
        'data-name': e.name,
      },
      e.thumbnail?.startsWith('data:image/png;base64,')
        ? h('img', {
            class: 'recent-thumbnail',
            'data-testid': 'recent-thumbnail',
            src: e.thumbnail,
            alt: `After image of ${e.name}`,
          })
        : h('div', { class: 'recent-thumbnail none', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'recent-text' },
        h('strong', {}, e.name),
        e.demo ? h('span', { class: 'badge' }, 'demo') : null,
        current ? h('span', { class: 'badge badge-confirmed' }, 'shown') : null,
        e.missing ? h('span', { class: 'badge badge-rejected' }, 'file missing') : null,
        h('div', { class: 'hint' }, e.scene),
        h('div', { class: 'hint', 'data-testid': 'recent-counts' }, countsText(e)),
      ),
      h(
        'div',
        { class: 'recent-actions' },
        e.missing ? null : button('Open', 'recent-open', open),
        e.missing ? null : button('Rename', 'recent-rename', rename),
        e.isOpen
          ? button('Close', 'recent-close', close, 'Close the project (stays listed)')
          : null,
      ),
    );
  }

  async function refresh(): Promise<void> {
    const entries = await options.api.invoke('project.recent', {});
    replaceChildren(
      list,
      ...(entries.length > 0
        ? entries.map(entryRow)
        : [h('li', { class: 'hint' }, 'No projects yet: create one from two images.')]),
    );
  }

  openFile.addEventListener('click', () =>
    act('Opening a project file', async () => {
      let path: string | undefined;
      if (options.typedPaths()) {
        const typed = await promptComment(
          'Project file on this machine',
          '/path/to/project.landwatch',
        );
        if (!typed) return;
        path = typed;
      }
      const project = await options.api.invoke('project.open', path ? { path } : {});
      if (!project) return;
      options.onOpen(project);
      modal.close();
    }),
  );
  openTeam.addEventListener('click', () =>
    act('Opening a team server', async () => {
      const typed = await promptComment(
        'Team server address',
        'https://landwatch.county.example:5174',
      );
      if (!typed) return;
      const opened = await openTeamServer(options.api, typed);
      if (!opened) return;
      if (opened.opened) modal.close();
      else window.location.assign(opened.url);
    }),
  );
  create.addEventListener('click', () => {
    modal.close();
    options.newProject();
  });

  return {
    open() {
      modal.open();
      act('Listing recent projects', refresh);
    },
    close: () => modal.close(),
  };
}
