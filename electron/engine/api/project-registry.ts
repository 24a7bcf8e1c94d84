/**
 * The projects the backend has open, by a stable id (a hash of the project file's path), and their
 * views for the UI.
 */
import { adaptedModelId } from '../store/project-adaptation.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectView, SceneView } from '../../common/contract.js';
import { LandWatchError } from '../errors.js';
import { dataHome } from '../paths.js';
import { DisplayCache, displayCacheDir } from '../raster/display-cache.js';
import { RasterSource } from '../raster/raster-source.js';
import { ProjectStore, type StoredScene } from '../store/project-store.js';
import type { ReviewStore } from '../store/review-store.js';
import { SqliteReviewStore } from '../store/sqlite-review-store.js';
import type { FileTokens } from './file-tokens.js';

export class ProjectRegistry {
  private readonly open_ = new Map<string, ProjectStore>();
  /** Display copies of the scenes (display-cache.ts), shared by every open project. */
  readonly display = new DisplayCache();

  constructor(
    private readonly files: FileTokens,
    private readonly fileUrl: (token: string) => string,
  ) {}

  static idOf(path: string): string {
    return createHash('sha1').update(resolve(path)).digest('hex').slice(0, 16);
  }

  open(path: string): string {
    const id = ProjectRegistry.idOf(path);
    if (!this.open_.has(id)) this.open_.set(id, ProjectStore.open(path));
    return id;
  }

  /** Opens both images (validating them) and creates a project file in the data home. */
  async create(
    name: string,
    beforePath: string,
    afterPath: string,
    dir = join(dataHome(), 'projects'),
  ): Promise<string> {
    const opened = await Promise.allSettled([
      RasterSource.open(beforePath),
      RasterSource.open(afterPath),
    ]);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) {
      // Close the one that did open: a refused file must not leave the other's handle behind.
      for (const o of opened) if (o.status === 'fulfilled') o.value.close();
      throw failed.reason;
    }
    const [before, after] = opened.map((o) => (o as PromiseFulfilledResult<RasterSource>).value);
    try {
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(
        dir,
        `${name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60)}-${stamp}.landwatch`,
      );
      const store = ProjectStore.create(file, name, before.info, after.info);
      const id = ProjectRegistry.idOf(file);
      this.open_.set(id, store);
      return id;
    } finally {
      before.close();
      after.close();
    }
  }

  store(id: string): ProjectStore {
    const store = this.open_.get(id);
    if (!store) throw new LandWatchError('E_NOT_FOUND', `Project ${id} is not open.`);
    return store;
  }

  /** The open project behind the async review-store interface the review handlers use. */
  reviewStore(id: string): ReviewStore {
    return new SqliteReviewStore(this.store(id));
  }

  async view(id: string): Promise<ProjectView> {
    const store = this.store(id);
    const before = store.scene('before');
    const after = store.scene('after');
    const [beforeRgb, afterRgb] = await Promise.all([
      this.display.displayBands(before.path),
      this.display.displayBands(after.path),
    ]);
    return {
      id,
      name: store.name,
      crs: before.crsId,
      scenes: {
        before: this.sceneView(before, store.path, beforeRgb),
        after: this.sceneView(after, store.path, afterRgb),
      },
      runs: store
        .runs()
        .map((run) => ({ ...run, probabilityUrl: this.probabilityUrl(store, run.id) })),
      counts: store.counts(),
      adaptedModelId: adaptedModelId(store.db),
    };
  }

  /** The run's probability GeoTIFF as a file URL, while it is still in its work folder. */
  private probabilityUrl(store: ProjectStore, runId: string): string | null {
    const path = store.runProbabilityPath(runId);
    return path && existsSync(path) ? this.fileUrl(this.files.register(path).token) : null;
  }

  /** A scene as the map shows it: from its display copy where it has one (display-cache.ts). */
  private sceneView(
    s: StoredScene,
    projectPath: string,
    displayBands: [number, number, number] | null,
  ): SceneView {
    const display = this.display.state(s.path, displayCacheDir(projectPath));
    const { token } = this.files.register(display.kind === 'copy' ? display.path : s.path);
    const [x0, pw, , y0, , ph] = s.geoTransform;
    const xs = [x0, x0 + s.width * pw];
    const ys = [y0, y0 + s.height * ph];
    return {
      role: s.role,
      name: s.name,
      url: this.fileUrl(token),
      display: display.kind,
      width: s.width,
      height: s.height,
      bands: s.bands,
      displayBands,
      extent: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      crs: s.crsId,
      proj4: s.crsProj4,
      date: s.acquired,
    };
  }

  /** The project file of an open project. */
  pathOf(id: string): string {
    return this.store(id).path;
  }

  isOpen(id: string): boolean {
    return this.open_.has(id);
  }

  /** Closes one project; false when it was not open. */
  close(id: string): boolean {
    const store = this.open_.get(id);
    if (!store) return false;
    store.close();
    this.open_.delete(id);
    return true;
  }

  closeAll(): void {
    for (const store of this.open_.values()) store.close();
    this.open_.clear();
  }
}
