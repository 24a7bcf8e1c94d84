/**
 * Test helpers that run the GDAL command-line tools (gdalinfo, ogrinfo, ...) on files the writers
 * produced. GDAL is what QGIS uses underneath, so a clean read here is the proof that users can
 * open LandWatch's exports. Tests that need it are skipped when the tools are not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when gdalinfo and ogrinfo can be run. */
export const gdalAvailable =
  spawnSync('gdalinfo', ['--version']).status === 0 &&
  spawnSync('ogrinfo', ['--version']).status === 0;

if (!gdalAvailable) {
  console.warn('GDAL command-line tools not found: GDAL read-back tests are skipped.');
}

/** Output of one tool run. */
export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a GDAL tool with `--config KEY VALUE` options and returns its output. */
export function runGdal(
  tool: string,
  args: string[],
  config: Record<string, string> = {},
): ToolResult {
  const configArgs = Object.entries(config).flatMap(([k, v]) => ['--config', k, v]);
  const result = spawnSync(tool, [...configArgs, ...args], {
    encoding: 'utf8',
    // Keep GDAL quiet unless something is wrong, and independent of the user's settings.
    env: { ...process.env, CPL_DEBUG: 'OFF', LC_ALL: 'C.UTF-8' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a tool and fails (with its stderr) unless it exits 0 with nothing on stderr. */
export function runGdalClean(
  tool: string,
  args: string[],
  config: Record<string, string> = {},
): string {
  const result = runGdal(tool, args, config);
  if (result.status !== 0 || result.stderr.trim() !== '') {
    throw new Error(`${tool} ${args.join(' ')} -> ${result.status}\n${result.stderr}`);
  }
  return result.stdout;
}

/** A fresh temporary folder and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `landwatch-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** GDAL's version as major * 100 + minor (e.g. 306), or 0 without GDAL. */
export const gdalVersion = ((): number => {
  if (!gdalAvailable) return 0;
  const m = /GDAL (\d+)\.(\d+)/.exec(runGdal('ogrinfo', ['--version']).stdout);
  return m ? Number(m[1]) * 100 + Number(m[2]) : 0;
})();

/**
 * Config that keeps GDAL < 3.7 quiet on GeoPackage 1.4 files (it predates 1.4 and warns on every
 * open); newer GDAL needs nothing and must be silent on its own.
 */
export const GPKG_QUIET: Record<string, string> =
  gdalVersion >= 307 ? {} : { GPKG_WARN_UNRECOGNIZED_APPLICATION_ID: 'NO' };
