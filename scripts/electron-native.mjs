// better-sqlite3 is a V8 addon: the copy npm built for Node cannot load inside Electron, which has
// its own ABI. Rather than rebuilding node_modules for Electron (which would break the CLI and the
// tests), `npm start` keeps a second, Electron-ABI build of the addon in .electron-native/ and the
// app loads it through better-sqlite3's `nativeBinding` option (LANDWATCH_SQLITE_BINDING).
// electron-builder rebuilds native modules for Electron when packaging, so installers need none of this.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * Returns the path of an Electron-ABI better_sqlite3.node, building it on first use, or throws
 * with the reason (no network for the prebuilt binary or Electron's headers, no compiler…).
 */
export function electronSqliteBinding(root) {
  const electronVersion = JSON.parse(
    readFileSync(require.resolve('electron/package.json'), 'utf8'),
  ).version;
  const target = join(
    root,
    '.electron-native',
    `electron-${electronVersion}-${process.platform}-${process.arch}`,
    'better_sqlite3.node',
  );
  if (existsSync(target)) return target;
  const source = dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(join(tmpdir(), 'landwatch-sqlite-'));
  try {
    cpSync(source, work, {
      recursive: true,
      filter: (p) => !p.includes(`${join(source, 'build')}`),
    });
    const prebuild = require.resolve('prebuild-install/bin.js');
    let run = spawnSync(
      process.execPath,
      [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    let built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (run.status !== 0 || !existsSync(built)) {
      // No prebuilt binary for this Electron: compile against Electron's headers.
      const gyp = require.resolve('node-gyp/bin/node-gyp.js');
      run = spawnSync(
        process.execPath,
        [
          gyp,
          'rebuild',
          '--release',
          `--target=${electronVersion}`,
          '--dist-url=https://electronjs.org/headers',
          `--arch=${process.arch}`,
        ],
        { cwd: work, encoding: 'utf8' },
      );
      built = join(work, 'build', 'Release', 'better_sqlite3.node');
      if (run.status !== 0 || !existsSync(built)) {
        const why = (run.stderr || run.stdout || '').trim().split('\n').slice(-2).join(' ');
        throw new Error(
          `could not build better-sqlite3 for Electron ${electronVersion} (${why || 'unknown error'})`,
        );
      }
    }
    mkdirSync(dirname(target), { recursive: true });
    cpSync(built, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
