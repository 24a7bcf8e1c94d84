/**
 * The review store's two backends for parameterised suites: a fresh SQLite project file, or a
 * fresh team project (its own schema) in a throwaway PostgreSQL cluster. Both start with the
 * fixtures' two scenes (EPSG:32650, 512 m square).
 */
import { rmSync } from 'node:fs';
import { PgReviewStore } from '../../../electron/engine/store/pg/pg-review-store.js';
import type { ReviewStore, StoreBackend } from '../../../electron/engine/store/review-store.js';
import { SqliteReviewStore } from '../../../electron/engine/store/sqlite-review-store.js';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster.js';
import { scene, tempProject } from './fixtures.js';

export interface Backend {
  name: StoreBackend;
  /** Why this backend cannot run here (its suite is skipped with this reason), or null. */
  skip: string | null;
  /** A fresh, empty project. */
  open(): Promise<ReviewStore>;
  /** Stops what the backend started (the cluster). */
  stop(): Promise<void>;
}

let schemaNo = 0;

/** Both backends; PostgreSQL's cluster starts now (call `stop` in afterAll). */
export async function backends(): Promise<Backend[]> {
  const dirs: string[] = [];
  const sqlite: Backend = {
    name: 'sqlite',
    skip: null,
    open: async () => {
      const { store, dir } = tempProject();
      dirs.push(dir);
      return new SqliteReviewStore(store);
    },
    stop: async () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  const cluster = await startPgCluster();
  let url: string | null = null;
  const postgres: Backend = {
    name: 'postgres',
    skip: 'skip' in cluster ? cluster.skip : null,
    open: async () => {
      const c = cluster as PgCluster;
      url ??= await c.createDatabase();
      return PgReviewStore.create(
        { url, schema: `project_${++schemaNo}` },
        'test',
        scene('before'),
        scene('after'),
      );
    },
    stop: async () => {
      if (!('skip' in cluster)) await cluster.stop();
    },
  };
  return [sqlite, postgres];
}
