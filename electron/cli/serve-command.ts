/**
 * `landwatch serve` (the app as a local web app over the HTTP transport) and `landwatch demo`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LandWatchError } from '../engine/errors.js';
import { appRoot, dataHome } from '../engine/paths.js';
import { writeDemoScene } from '../../resources/demo/write-demo.js';
import { startServer } from '../server/http-server.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function runServeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.LANDWATCH_PORT ?? '5174' },
      host: { type: 'string', default: '127.0.0.1' },
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
  const staticDir = join(appRoot(), 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `The UI is not built (${staticDir} is missing); run "npm run build" first.`,
    );
  }
  if (!LOOPBACK.has(values.host)) {
    process.stderr.write(
      `warning: serving on ${values.host}: anyone who can reach this address can read your imagery and projects.\n`,
    );
  }
  const server = await startServer({
    host: values.host,
    port,
    staticDir,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  if (values.reason) process.stderr.write(`${values.reason}\n`);
  process.stdout.write(
    `LandWatch is running at ${server.url}  (data: ${dataHome()}; Ctrl+C to stop)\n`,
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

export async function runDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' } }, strict: true });
  const dir = resolve(values.dir ?? join(dataHome(), 'demo'));
  const files = await writeDemoScene(dir);
  process.stdout.write(`demo scene written: ${files.before}, ${files.after}, ${files.truth}\n`);
  return 0;
}
