/**
 * `landwatch serve` (the app as a local web app over the HTTP transport) and `landwatch demo`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyBundledDemo, DEMO_FILES } from '../engine/api/demo-project.js';
import { LandWatchError } from '../engine/errors.js';
import { appRoot, dataHome } from '../engine/paths.js';
import { isLoopbackHost } from '../server/access-guard.js';
import { startServer, type RunningServer } from '../server/http-server.js';
import { runTeamServeCommand } from './team-serve-command.js';

export async function runServeCommand(argv: string[]): Promise<number> {
  if (argv.includes('--team')) return runTeamServeCommand(argv, builtRenderer);
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.LANDWATCH_PORT ?? '5174' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean', default: false },
      reason: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--port ${values.port}: expected a port number 0–65535.`,
    );
  }
  const staticDir = builtRenderer();
  const remote = !isLoopbackHost(values.host);
  if (remote && !values['allow-remote']) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--host ${values.host} lets other machines reach LandWatch; add --allow-remote to mean it (they will need the access token printed at start).`,
    );
  }
  const server = await listen(values.host, port, staticDir);
  if (values.reason) process.stderr.write(`${values.reason}\n`);
  if (remote) {
    process.stderr.write(
      `warning: serving on ${values.host}: anyone with the token below can read your imagery and projects.\n`,
    );
  }
  process.stdout.write(
    `LandWatch is running at ${server.connectUrls.join('  ')}  (data: ${dataHome()}; Ctrl+C to stop)\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.stderr.write('stopping…\n');
      void server.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** The built renderer's folder; refuses when it is missing. */
function builtRenderer(): string {
  const staticDir = join(appRoot(), 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `The UI is not built (${staticDir} is missing); run "npm run build" first.`,
    );
  }
  return staticDir;
}

/** Starts the server; a port in use or an address that cannot be bound is one line, exit 2. */
async function listen(host: string, port: number, staticDir: string): Promise<RunningServer> {
  try {
    return await startServer({
      host,
      port,
      staticDir,
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (another LandWatch?); pick another with --port`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `${host} is not an address of this machine`
          : code === 'EACCES'
            ? `not allowed to listen on port ${port}; pick one above 1023 with --port`
            : null;
    if (why) throw new LandWatchError('E_BAD_REQUEST', `cannot serve: ${why}.`);
    throw error;
  }
}

export async function runDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' } }, strict: true });
  const dir = resolve(values.dir ?? join(dataHome(), 'demo'));
  const files = copyBundledDemo(dir);
  process.stdout.write(
    `demo pair written: ${files.before}, ${files.after}, ${files.truth} (imagery source and licence: ${join(dir, DEMO_FILES.licence)})\n`,
  );
  return 0;
}
