/**
 * The recent-projects list: which project files the analyst opened, newest first, with what the
 * list shows of each (name, scene, counts) so that closed projects need not be opened to be
 * listed, and which one to reopen on start. Kept as a small JSON file in the data home; a missing
 * or unreadable file is an empty list (the list is a convenience, never a reason to fail).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RecentProjectView } from '../../common/project-contract.js';
import type { ReviewState } from '../../common/enums.js';
import { dataHome } from '../paths.js';

/** What is stored per project (the path stays in the backend; the UI gets the id). */
export interface RecentEntry {
  id: string;
  path: string;
  name: string;
  scene: string;
  counts: Record<ReviewState, number>;
  openedAt: string;
  demo: boolean;
  /** The after scene in small (PNG data URI), or null when it could not be rendered. */
  thumbnail: string | null;
}

interface RecentFile {
  version: 1;
  /** The project to reopen on start, or null (closed, or never opened). */
  last: string | null;
  entries: RecentEntry[];
}

/** How many projects the list keeps. */
export const RECENT_LIMIT = 20;

export class RecentProjects {
  constructor(private readonly file = join(dataHome(), 'recent-projects.json')) {}

  private read(): RecentFile {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RecentFile>;
      if (!Array.isArray(parsed.entries)) throw new Error('no entries');
      return { version: 1, last: parsed.last ?? null, entries: parsed.entries };
    } catch {
      return { version: 1, last: null, entries: [] };
    }
  }

  private write(data: RecentFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    // Written aside and renamed, so a crash never leaves half a list.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, this.file);
  }

  /** Records that a project was opened now: first in the list, and the one to reopen on start. */
  opened(entry: Omit<RecentEntry, 'openedAt'>, at = new Date().toISOString()): void {
    const data = this.read();
    const rest = data.entries.filter((e) => e.id !== entry.id);
    this.write({
      version: 1,
      last: entry.id,
      entries: [{ ...entry, openedAt: at }, ...rest].slice(0, RECENT_LIMIT),
    });
  }

  /** Updates what the list shows of a project (name, counts) without moving it. */
  update(id: string, change: Partial<Pick<RecentEntry, 'name' | 'counts'>>): void {
    const data = this.read();
    if (!data.entries.some((e) => e.id === id)) return;
    this.write({
      ...data,
      entries: data.entries.map((e) => (e.id === id ? { ...e, ...change } : e)),
    });
  }

  /** The project is closed: not reopened on start; with `forget`, gone from the list. */
  closed(id: string, forget: boolean): void {
    const data = this.read();
    this.write({
      version: 1,
      last: data.last === id ? null : data.last,
      entries: forget ? data.entries.filter((e) => e.id !== id) : data.entries,
    });
  }

  entry(id: string): RecentEntry | undefined {
    return this.read().entries.find((e) => e.id === id);
  }

  /**
   * The list for the UI, newest first.
   *
   * @param live - current counts of a project that is open (undefined when it is not)
   */
  list(live: (id: string) => Record<ReviewState, number> | undefined): RecentProjectView[] {
    const data = this.read();
    return data.entries.map(({ path, ...e }) => {
      const counts = live(e.id);
      return {
        ...e,
        thumbnail: e.thumbnail ?? null,
        counts: counts ?? e.counts,
        missing: !existsSync(path),
        isOpen: counts !== undefined,
        last: data.last === e.id,
      };
    });
  }
}
