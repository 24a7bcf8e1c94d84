/**
 * Opens SQLite files (project stores, GeoPackages). Inside the desktop app the addon must be the
 * Electron-ABI build: `npm start` prepares one and passes its path in LANDWATCH_SQLITE_BINDING
 * (see scripts/electron-native.mjs); everywhere else better-sqlite3's own build is used.
 */
import Database from 'better-sqlite3';

export function openSqlite(path: string, options: Database.Options = {}): Database.Database {
  const binding = process.env.LANDWATCH_SQLITE_BINDING;
  return new Database(path, binding ? { ...options, nativeBinding: binding } : options);
}
