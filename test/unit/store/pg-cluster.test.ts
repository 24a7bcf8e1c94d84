/**
 * The test helper's throwaway cluster: it starts on loopback, makes databases with PostGIS, and
 * is gone after stop.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPgCluster } from '../../helpers/pg-cluster.js';

const cluster = await startPgCluster();
const skip = 'skip' in cluster ? cluster.skip : null;
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
});

describe.skipIf(skip !== null)(`throwaway PostgreSQL cluster${skip ? ` (${skip})` : ''}`, () => {
  it('serves a PostGIS database on loopback', async () => {
    if ('skip' in cluster) return;
    const url = await cluster.createDatabase();
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const r = await client.query(
        'SELECT PostGIS_Lib_Version() AS v, ST_Area(ST_MakeEnvelope(0, 0, 10, 20, 32650)) AS a',
      );
      expect(r.rows[0].a).toBe(200);
      expect(r.rows[0].v).toMatch(/^3\./);
    } finally {
      await client.end();
    }
  });
});
