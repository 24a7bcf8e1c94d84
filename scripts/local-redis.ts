/**
 * A throw-away `redis-server` for tests and benchmarks: loopback only, a free port, no snapshots
 * (an append-only file on request), its files in a temporary folder. `startRedis()` resolves to `{ skip }` with the reason when Redis
 * cannot be started here (not installed, refused to start), so a test can skip saying why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port (a Redis restart mid-round). */
  restart(): Promise<void>;
}

/** A TCP port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => done(reply.startsWith('+PONG')));
    socket.on('error', () => done(false));
  });
}

async function launch(port: number, dir: string, aof: boolean): Promise<ChildProcess | string> {
  const persistence = aof ? ['yes', '--appendfsync', 'always'] : ['no'];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir].concat(
      '--appendonly',
      persistence,
    ),
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.resume();
  let failed: string | null = null;
  child.on('error', (e) => (failed = e.message));
  child.on('exit', (code) => (failed ??= `redis-server exited with code ${code}`));
  for (let i = 0; i < 100 && !failed; i++) {
    if (await answersPing(port)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  return failed ?? `redis-server did not answer on port ${port} within 10 s`;
}

/**
 * Starts a server, or returns why it cannot. `aof`: keep an append-only file (fsync on every
 * write), so a restart finds every key again, as a production Redis for rounds should.
 */
export async function startRedis(aof = false): Promise<TestRedis | { skip: string }> {
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0)
    return { skip: 'redis-server is not installed (Debian: apt-get install redis-server)' };
  const dir = mkdtempSync(join(tmpdir(), 'lw-redis-'));
  const port = await freePort();
  const first = await launch(port, dir, aof);
  if (typeof first === 'string') return { skip: first };
  const stopOne = (child: ChildProcess) =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      child.kill('SIGTERM');
    });
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: first,
    async stop() {
      await stopOne(redis.process);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopOne(redis.process);
      const next = await launch(port, dir, aof);
      if (typeof next === 'string') throw new Error(next);
      redis.process = next;
    },
  };
  return redis;
}
