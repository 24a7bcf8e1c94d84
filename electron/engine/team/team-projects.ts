/**
 * The team projects of one PostgreSQL database, as a team server serves them: every schema that
 * holds a LandWatch team project (PgReviewStore) is one project, with the id `team:<schema>`.
 * Stores are opened on first use and kept open; an id naming no project of this database (another
 * database's schema, the users' schema, a malformed id) is E_NOT_FOUND.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { ProjectView, SceneView } from '../../common/contract.js';
import type { TeamProjectView } from '../../common/team-contract.js';
import type { FileTokens } from '../api/file-tokens.js';
import { LandWatchError } from '../errors.js';
import { PgReviewStore } from '../store/pg/pg-review-store.js';
import type { StoredScene } from '../store/project-scenes.js';

const PREFIX = 'team:';
const ID = /^team:([a-z_][a-z0-9_]{0,62})$/;

/** Schemas holding a team project: the tables every PgReviewStore has. */
const PROJECT_SCHEMAS = `
  SELECT table_schema AS schema FROM information_schema.tables
  WHERE table_name IN ('meta', 'scenes', 'patches', 'schema_version')
    AND table_schema NOT IN ('public', 'landwatch_team', 'information_schema')
    AND table_schema NOT LIKE 'pg\\_%'
  GROUP BY table_schema HAVING COUNT(DISTINCT table_name) = 4
  ORDER BY table_schema`;

export class TeamProjects {
  private readonly pool: pg.Pool;
  private readonly open_ = new Map<string, Promise<PgReviewStore>>();
  private readonly ready = new Map<string, PgReviewStore>();

  constructor(
    private readonly url: string,
    private readonly files: FileTokens,
    private readonly fileUrl: (token: string) => string,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
  }

  static idOf(schema: string): string {
    return `${PREFIX}${schema}`;
  }

  /** The schemas of this database that hold a team project. */
  async schemas(): Promise<string[]> {
    const r = await this.pool.query<{ schema: string }>(PROJECT_SCHEMAS);
    return r.rows.map((x) => x.schema);
  }

  async list(): Promise<TeamProjectView[]> {
    const out: TeamProjectView[] = [];
    for (const schema of await this.schemas()) {
      const id = TeamProjects.idOf(schema);
      const store = await this.open(id);
      const [name, summary] = await Promise.all([store.name(), store.summary()]);
      out.push({ id, name, schema, counts: summary.byState });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.schema.localeCompare(b.schema));
  }

  /** Opens (once) the project with this id; E_NOT_FOUND when this database has no such project. */
  async open(id: string): Promise<PgReviewStore> {
    let opening = this.open_.get(id);
    if (!opening) {
      const schema = ID.exec(id)?.[1];
      if (!schema || !(await this.schemas()).includes(schema))
        throw new LandWatchError('E_NOT_FOUND', `No team project ${id} on this server.`);
      opening = PgReviewStore.open({ url: this.url, schema });
      this.open_.set(id, opening);
      opening.then(
        (store) => this.ready.set(id, store),
        () => this.open_.delete(id),
      );
    }
    const store = await opening;
    this.ready.set(id, store);
    return store;
  }

  /** A project already opened by {@link open} (the handlers' synchronous lookup). */
  opened(id: string): PgReviewStore {
    const store = this.ready.get(id);
    if (!store) throw new LandWatchError('E_NOT_FOUND', `No team project ${id} on this server.`);
    return store;
  }

  async view(id: string): Promise<ProjectView> {
    const store = await this.open(id);
    const [name, scenes, runs, summary] = await Promise.all([
      store.name(),
      store.scenes(),
      store.runs(),
      store.summary(),
    ]);
    const before = scenes.find((s) => s.role === 'before') as StoredScene;
    const after = scenes.find((s) => s.role === 'after') as StoredScene;
    return {
      id,
      name,
      crs: before.crsId,
      scenes: { before: this.sceneView(before), after: this.sceneView(after) },
      // Probability rasters stay with the round's workers; team runs have no heat layer here.
      runs: runs.map((run) => ({ ...run, probabilityUrl: null })),
      counts: summary.byState,
      adaptedModelId: null,
      team: true,
    };
  }

  /**
   * A scene as the map shows it: read straight from its path when this server can read it; a
   * scene stored on another machine is `pending` (the map shows the patches without imagery).
   */
  private sceneView(s: StoredScene): SceneView {
    const readable = existsSync(s.path);
    const [x0, pw, , y0, , ph] = s.geoTransform;
    const xs = [x0, x0 + s.width * pw];
    const ys = [y0, y0 + s.height * ph];
    return {
      role: s.role,
      name: s.name,
      url: readable ? this.fileUrl(this.files.register(s.path).token) : '',
      display: readable ? 'direct' : 'pending',
      width: s.width,
      height: s.height,
      bands: s.bands,
      extent: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      crs: s.crsId,
      proj4: s.crsProj4,
      date: s.acquired,
    };
  }

  async closeAll(): Promise<void> {
    const stores = await Promise.allSettled([...this.open_.values()]);
    this.open_.clear();
    this.ready.clear();
    for (const s of stores) if (s.status === 'fulfilled') await s.value.close();
    await this.pool.end();
  }
}
