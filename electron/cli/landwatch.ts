/**
 * The `landwatch` command line: detect, serve, demo. Errors print one line naming the file and the
 * problem and exit non-zero (2 for bad input, 1 for anything unexpected).
 */
import { LandWatchError } from '../engine/errors.js';

// Each command's module loads when it runs: `detect` then never loads the job queue (BullMQ,
// ioredis) or PostgreSQL clients that rounds and team projects need, which took ~0.1 s of every
// start (the build splits the bundle at these imports).
const commands: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  detect: async () => (await import('./detect-command.js')).runDetectCommand,
  export: async () => (await import('./export-command.js')).runExportCommand,
  adapt: async () => (await import('./adapt-command.js')).runAdaptCommand,
  models: async () => (await import('./models-command.js')).runModelsCommand,
  similar: async () => (await import('./similar-command.js')).runSimilarCommand,
  reference: async () => (await import('./reference-command.js')).runReferenceCommand,
  round: async () => (await import('./round-command.js')).runRoundCommand,
  team: async () => (await import('./team-command.js')).runTeamCommand,
  worker: async () => (await import('./worker-command.js')).runWorkerCommand,
  serve: async () => (await import('./serve-command.js')).runServeCommand,
  demo: async () => (await import('./serve-command.js')).runDemoCommand,
};

/** The usage text, from every command's module (loaded only to print it). */
async function usage(): Promise<string> {
  const [exp, models, adapt, similar, reference, round, team, teamServe] = await Promise.all([
    import('./export-command.js'),
    import('./models-command.js'),
    import('./adapt-command.js'),
    import('./similar-command.js'),
    import('./reference-command.js'),
    import('./round-command.js'),
    import('./team-command.js'),
    import('./team-serve-command.js'),
  ]);
  return `Usage:
  landwatch detect --before <tif> --after <tif> --out <file.gpkg|.geojson|.shp>
                   [--mask <file.tif>] [--threshold 0.5] [--min-area <m²>] [--model <id>]
                   [--device auto|cpu|webgpu|cuda|dml|coreml] [--bands 3,2,1]
                   [--stretch auto|none|percentile] [--radiometry match|none] [--overwrite] [--quiet] [--stats]
                   [--full-sweep | --screening] [--work-dir <folder>] [--fresh]
                   [--declutter before|after|both]   clean up haze/cloud/shadow first
${exp.EXPORT_USAGE}
${models.MODELS_USAGE}
${adapt.ADAPT_USAGE}
${similar.SIMILAR_USAGE}
${reference.REFERENCE_USAGE}
${round.ROUND_USAGE}
${team.TEAM_USAGE}
  landwatch serve  [--port 5174] [--host 127.0.0.1 [--allow-remote]]   the app as a local web app
${teamServe.TEAM_SERVE_USAGE}
  landwatch demo   [--dir <folder>]                     (re)generate the demo scene
  landwatch --help | --version`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const load = command === undefined ? undefined : commands[command];
    if (load) return await (await load())(rest);
    switch (command) {
      case '--version':
      case '-v':
        process.stdout.write('landwatch 0.1.0\n');
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${await usage()}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new LandWatchError(
          'E_BAD_REQUEST',
          `unknown command "${command}".\n${await usage()}`,
        );
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
      process.stderr.write(`landwatch: error: ${e.message}\n${await usage()}\n`);
      return 2;
    }
    process.stderr.write(`landwatch: internal error: ${e?.stack ?? String(error)}\n`);
    return 1;
  }
}
