/**
 * The `landwatch` command line: detect, serve, demo. Errors print one line naming the file and the
 * problem and exit non-zero (2 for bad input, 1 for anything unexpected).
 */
import { LandWatchError } from '../engine/errors.js';
import { ADAPT_USAGE, runAdaptCommand } from './adapt-command.js';
import { runDetectCommand } from './detect-command.js';
import { EXPORT_USAGE, runExportCommand } from './export-command.js';
import { MODELS_USAGE, runModelsCommand } from './models-command.js';
import { REFERENCE_USAGE, runReferenceCommand } from './reference-command.js';
import { ROUND_USAGE, runRoundCommand } from './round-command.js';
import { runDemoCommand, runServeCommand } from './serve-command.js';
import { SIMILAR_USAGE, runSimilarCommand } from './similar-command.js';
import { TEAM_USAGE, runTeamCommand } from './team-command.js';
import { TEAM_SERVE_USAGE } from './team-serve-command.js';
import { runWorkerCommand } from './worker-command.js';

const USAGE = `Usage:
  landwatch detect --before <tif> --after <tif> --out <file.gpkg|.geojson|.shp>
                   [--mask <file.tif>] [--threshold 0.5] [--min-area <m²>] [--model <id>]
                   [--device auto|cpu|webgpu|cuda|dml|coreml] [--bands 3,2,1]
                   [--stretch auto|none|percentile] [--radiometry match|none] [--overwrite] [--quiet] [--stats]
                   [--full-sweep | --screening] [--work-dir <folder>] [--fresh]
                   [--declutter before|after|both]   clean up haze/cloud/shadow first
${EXPORT_USAGE}
${MODELS_USAGE}
${ADAPT_USAGE}
${SIMILAR_USAGE}
${REFERENCE_USAGE}
${ROUND_USAGE}
${TEAM_USAGE}
  landwatch serve  [--port 5174] [--host 127.0.0.1 [--allow-remote]]   the app as a local web app
${TEAM_SERVE_USAGE}
  landwatch demo   [--dir <folder>]                     (re)generate the demo scene
  landwatch --help | --version`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'detect':
        return await runDetectCommand(rest);
      case 'export':
        return await runExportCommand(rest);
      case 'adapt':
        return await runAdaptCommand(rest);
      case 'models':
        return await runModelsCommand(rest);
      case 'similar':
        return await runSimilarCommand(rest);
      case 'reference':
        return await runReferenceCommand(rest);
      case 'round':
        return await runRoundCommand(rest);
      case 'team':
        return await runTeamCommand(rest);
      case 'worker':
        return await runWorkerCommand(rest);
      case 'serve':
        return await runServeCommand(rest);
      case 'demo':
        return await runDemoCommand(rest);
      case '--version':
      case '-v':
        process.stdout.write('landwatch 0.1.0\n');
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new LandWatchError('E_BAD_REQUEST', `unknown command "${command}".\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof LandWatchError) {
      process.stderr.write(`landwatch: error: ${error.message}\n`);
      return error.code === 'E_INTERNAL' ? 1 : error.code === 'E_CANCELLED' ? 130 : 2;
    }
    const e = error as Error & { code?: string };
    if (
      e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      process.stderr.write(`landwatch: error: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`landwatch: internal error: ${e?.stack ?? String(error)}\n`);
    return 1;
  }
}
