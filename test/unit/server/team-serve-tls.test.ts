/**
 * `landwatch serve --team` beyond loopback: refused without TLS or `--insecure-lan`, and served
 * over HTTPS with a certificate (a self-signed one made here with openssl).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTeamServeArgs } from '../../../electron/cli/team-serve-command.js';
import { runServeCommand } from '../../../electron/cli/serve-command.js';
import { startTeamServer } from '../../../electron/server/team-server.js';
import { startPgCluster } from '../../helpers/pg-cluster.js';
import { PASSWORD, seedTeamDb } from './team-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lw-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
const db = 'postgres://lw@127.0.0.1:5432/team';

/** A self-signed certificate for 127.0.0.1, or why none could be made. */
function makeCertificate(): string | null {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    return null;
  } catch (error) {
    return `openssl could not make a test certificate: ${(error as Error).message.split('\n')[0]}`;
  }
}
const noCert = makeCertificate();
const cluster = await startPgCluster();
const noPg = 'skip' in cluster ? cluster.skip : null;
afterAll(async () => {
  if (!('skip' in cluster)) await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve --team beyond loopback', () => {
  it('refuses another --host without TLS settings or --insecure-lan, in one line', async () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      const argv = ['--team', '--db', db, '--host', host];
      expect(() => parseTeamServeArgs(argv)).toThrow(
        `--host ${host} would send passwords and session tokens over the network in the clear: give --tls-cert <pem> --tls-key <pem> for HTTPS, or --insecure-lan to mean it.`,
      );
      await expect(runServeCommand(argv)).rejects.toThrow(/in the clear/);
    }
    expect(
      parseTeamServeArgs(['--team', '--db', db, '--host', '0.0.0.0', '--insecure-lan']),
    ).toMatchObject({ host: '0.0.0.0', tls: null, insecureLan: true });
    expect(parseTeamServeArgs(['--team', '--db', db, '--host', 'localhost']).host).toBe(
      'localhost',
    );
  });

  it('checks the other options', () => {
    expect(() => parseTeamServeArgs(['--team'])).toThrow(/--db <postgres:\/\/.*> is required/);
    expect(() => parseTeamServeArgs(['--team', '--db', 'mysql://x/y'])).toThrow(
      '--db mysql://x/y: give a postgres:// URL.',
    );
    expect(() => parseTeamServeArgs(['--team', '--db', db, '--tls-cert', cert])).toThrow(
      'give both --tls-cert and --tls-key (PEM files), or neither.',
    );
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() =>
      parseTeamServeArgs(['--team', '--db', db, '--tls-cert', notPem, '--tls-key', notPem]),
    ).toThrow(`${notPem}: not a PEM file`);
    expect(() => parseTeamServeArgs(['--team', '--db', db, '--idle-minutes', '0'])).toThrow(
      /--idle-minutes 0/,
    );
  });

  it.skipIf(noCert !== null)(
    `accepts --host with --tls-cert and --tls-key${noCert ? ` (${noCert})` : ''}`,
    () => {
      const args = parseTeamServeArgs([
        '--team',
        '--db',
        db,
        '--host',
        '0.0.0.0',
        '--tls-cert',
        cert,
        '--tls-key',
        key,
      ]);
      expect(args.tls?.cert.toString()).toContain('-----BEGIN CERTIFICATE-----');
    },
  );
});

describe.skipIf(noCert !== null || noPg !== null)(
  `team server over HTTPS${noCert ? ` (${noCert})` : noPg ? ` (${noPg})` : ''}`,
  () => {
    it('logs in over TLS with a Secure cookie', async () => {
      const url = await (cluster as { createDatabase(): Promise<string> }).createDatabase();
      await seedTeamDb(url, ['tls_round']);
      const server = await startTeamServer({
        db: url,
        port: 0,
        tls: { cert: readFileSync(cert), key: readFileSync(key) },
      });
      try {
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        const body = JSON.stringify({ user: 'anna', password: PASSWORD });
        const answer = await new Promise<{ status: number; cookie: string; text: string }>(
          (ok, fail) => {
            const req = request(
              new URL('api/team.login', server.url),
              {
                method: 'POST',
                ca: readFileSync(cert),
                headers: { 'content-type': 'application/json', origin: server.url.slice(0, -1) },
              },
              (res) => {
                let text = '';
                res.on('data', (c: Buffer) => (text += c.toString()));
                res.on('end', () =>
                  ok({
                    status: res.statusCode ?? 0,
                    cookie: String(res.headers['set-cookie'] ?? ''),
                    text,
                  }),
                );
              },
            );
            req.on('error', fail);
            req.end(body);
          },
        );
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.text).user).toEqual({ name: 'anna', role: 'analyst' });
        expect(answer.cookie).toMatch(/HttpOnly; SameSite=Strict; Secure$/);
      } finally {
        await server.close();
      }
    }, 30_000);
  },
);
