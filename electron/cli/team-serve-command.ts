/**
 * `landwatch serve --team --db postgres://…`: serves the team projects of a database to logged-in
 * users. Beyond loopback it needs HTTPS (`--tls-cert` + `--tls-key`), or `--insecure-lan` to say
 * that passwords and session tokens may cross the network in the clear.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LandWatchError } from '../engine/errors.js';
import { isLoopbackHost } from '../server/access-guard.js';
import { startTeamServer } from '../server/team-server.js';

export const TEAM_SERVE_USAGE = `  landwatch serve --team --db <postgres://…> [--port 5174] [--host 127.0.0.1]
                  [--tls-cert <pem> --tls-key <pem> | --insecure-lan] [--idle-minutes 60]
                                                        the team projects of a database, with logins`;

const bad = (message: string) => new LandWatchError('E_BAD_REQUEST', message);

export interface TeamServeArgs {
  db: string;
  host: string;
  port: number;
  idleMinutes: number;
  tls: { cert: Buffer; key: Buffer } | null;
  insecureLan: boolean;
}

/** Parses and checks the arguments; every refusal is one line naming the option. */
export function parseTeamServeArgs(argv: string[]): TeamServeArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      team: { type: 'boolean', default: true },
      db: { type: 'string' },
      port: { type: 'string', default: process.env.LANDWATCH_PORT ?? '5174' },
      host: { type: 'string', default: '127.0.0.1' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-lan': { type: 'boolean', default: false },
      'idle-minutes': { type: 'string', default: '60' },
    },
    strict: true,
  });
  if (!values.db) throw bad('serve --team: --db <postgres://user@host:port/db> is required.');
  if (!/^postgres(ql)?:\/\//.test(values.db))
    throw bad(`--db ${values.db}: give a postgres:// URL.`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw bad(`--port ${values.port}: expected a port number 0–65535.`);
  const idleMinutes = Number(values['idle-minutes']);
  if (!Number.isFinite(idleMinutes) || idleMinutes <= 0 || idleMinutes > 7 * 24 * 60)
    throw bad(
      `--idle-minutes ${values['idle-minutes']}: expected minutes above 0 (at most a week).`,
    );
  const certPath = values['tls-cert'];
  const keyPath = values['tls-key'];
  if ((certPath === undefined) !== (keyPath === undefined))
    throw bad('give both --tls-cert and --tls-key (PEM files), or neither.');
  const tls = certPath && keyPath ? { cert: readPem(certPath), key: readPem(keyPath) } : null;
  if (!isLoopbackHost(values.host) && !tls && !values['insecure-lan'])
    throw bad(
      `--host ${values.host} would send passwords and session tokens over the network in the clear: give --tls-cert <pem> --tls-key <pem> for HTTPS, or --insecure-lan to mean it.`,
    );
  return {
    db: values.db,
    host: values.host,
    port,
    idleMinutes,
    tls,
    insecureLan: values['insecure-lan'],
  };
}

function readPem(path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw bad(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (!pem.toString('latin1').includes('-----BEGIN '))
    throw bad(`${path}: not a PEM file (no "-----BEGIN" line).`);
  return pem;
}

/** Runs the team server until SIGINT/SIGTERM. */
export async function runTeamServeCommand(
  argv: string[],
  builtRenderer: () => string,
): Promise<number> {
  const args = parseTeamServeArgs(argv);
  const staticDir = builtRenderer();
  let server;
  try {
    server = await startTeamServer({
      db: args.db,
      host: args.host,
      port: args.port,
      staticDir,
      idleMinutes: args.idleMinutes,
      ...(args.tls ? { tls: args.tls } : {}),
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (error) {
    throw explain(error, args);
  }
  if (args.insecureLan && !args.tls)
    process.stderr.write(
      `warning: serving on ${args.host} without TLS: passwords and sessions cross the network in the clear.\n`,
    );
  const projects = await server.backend.projects.schemas();
  const url = server.connectUrls.map((u) => u.replace(/\?token=.*$/, '')).join('  ');
  process.stdout.write(
    `LandWatch team server at ${url}  (${projects.length} team project${projects.length === 1 ? '' : 's'}; log in with a team user; Ctrl+C to stop)\n`,
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

/** A database that cannot be reached, a port in use, … as one line. */
function explain(error: unknown, args: TeamServeArgs): unknown {
  const code = (error as { code?: string }).code;
  const db = new URL(args.db);
  const where = `${db.hostname}:${db.port || 5432}${db.pathname}`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01')
    return bad(`cannot reach the team database ${where}: ${(error as Error).message}.`);
  if (code === 'EADDRINUSE')
    return bad(
      `cannot serve: port ${args.port} on ${args.host} is already in use; pick another with --port.`,
    );
  if (code === 'EADDRNOTAVAIL')
    return bad(`cannot serve: ${args.host} is not an address of this machine.`);
  return error;
}
