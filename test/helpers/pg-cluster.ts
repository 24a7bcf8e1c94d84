/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, `pg_ctl start` on a
 * free loopback port with the socket in that folder, databases with PostGIS made on demand, and
 * everything stopped and removed afterwards. PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` system user (Debian's packages create it).
 *
 * Where PostgreSQL cannot be started (not installed, no `postgres` user) {@link startPgCluster}
 * returns the reason instead, and suites skip with it; with `LANDWATCH_REQUIRE_PG=1` (CI) the
 * reason is thrown instead, so a broken setup fails the run rather than silently skipping.
 * `LANDWATCH_TEST_PG_URL` points the tests at an existing server instead (its user must be able
 * to create databases, and PostGIS must be installed there).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PgCluster {
  /** Connection URL of the maintenance database (`postgres`). */
  readonly url: string;
  /** Creates an empty database with PostGIS enabled; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its folder (a no-op for LANDWATCH_TEST_PG_URL). */
  stop(): Promise<void>;
}

/** Folder of the newest PostgreSQL server binaries (LANDWATCH_PG_BIN overrides), or null. */
export function pgBinDir(): string | null {
  const given = process.env.LANDWATCH_PG_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? given : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

/** A free TCP port on loopback (for test and bench servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let dbCounter = 0;

function databaseMaker(adminUrl: string) {
  return async (name = `lw_test_${process.pid}_${++dbCounter}`): Promise<string> => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
    } finally {
      await db.end();
    }
    return url.toString();
  };
}

/**
 * Starts a cluster (or connects to LANDWATCH_TEST_PG_URL); resolves to `{ skip }` with the reason
 * when PostgreSQL cannot be started here.
 */
export async function startPgCluster(): Promise<PgCluster | { skip: string }> {
  try {
    return await start();
  } catch (error) {
    const reason = `PostgreSQL could not be started: ${(error as Error).message}`;
    if (process.env.LANDWATCH_REQUIRE_PG === '1') throw new Error(reason, { cause: error });
    return { skip: reason };
  }
}

async function start(): Promise<PgCluster> {
  const external = process.env.LANDWATCH_TEST_PG_URL;
  if (external)
    return { url: external, createDatabase: databaseMaker(external), stop: async () => {} };

  const bin = pgBinDir();
  if (!bin)
    throw new Error(
      'no PostgreSQL server binaries (looked for /usr/lib/postgresql/*/bin/initdb; install postgresql and postgresql-15-postgis-3, or set LANDWATCH_PG_BIN)',
    );
  const asRoot = userInfo().uid === 0;
  // As root the folder must be reachable by `postgres`: a private TMPDIR is not, /tmp is.
  const base = asRoot && (statSync(tmpdir()).mode & 0o001) === 0 ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'lw-pg-'));
  // As root, every command runs as `postgres`, which must own the folder.
  const prefix: string[] = [];
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
    prefix.push('runuser', '-u', 'postgres', '--');
  }
  const argvOf = (tool: string, args: string[]) => [...prefix, join(bin, tool), ...args];
  const cmd = (tool: string, args: string[]) => {
    const [file, ...rest] = argvOf(tool, args);
    return run(file, rest, { encoding: 'utf8' });
  };
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let started = false;
  const cleanup = () => {
    if (started) {
      try {
        const [file, ...rest] = argvOf('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
        execFileSync(file, rest, { stdio: 'ignore' });
      } catch {
        // already stopped
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    await cmd('initdb', ['-D', data, '-A', 'trust', '-U', 'landwatch', '-E', 'UTF8', '--no-sync']);
    // A few tries: another process may take the free port between the check and the bind.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const opts = [
        `-k ${dir}`,
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        // Test data need not survive a crash of the machine: skip the flushes.
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      try {
        await cmd('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '30', '-o', opts]);
        started = true;
        const url = `postgres://landwatch@127.0.0.1:${port}/postgres`;
        return {
          url,
          createDatabase: databaseMaker(url),
          stop: async () => {
            process.off('exit', cleanup);
            cleanup();
          },
        };
      } catch (error) {
        if (attempt >= 3) {
          const tail = existsSync(log)
            ? readFileSync(log, 'utf8').split('\n').slice(-5).join(' | ')
            : '';
          throw new Error(`${(error as Error).message.trim()} ${tail}`, { cause: error });
        }
      }
    }
  } catch (error) {
    process.off('exit', cleanup);
    cleanup();
    throw error;
  }
}
