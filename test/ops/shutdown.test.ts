// The built server as an operator runs it (node dist/src/server.js): a stop (SIGTERM from Docker or
// systemd) lets the request in progress finish, closes the database cleanly and exits 0; a bad
// configuration stops it at once with a readable message.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { buildOnce, freePort } from '../helpers/process.js';
import { ADMIN } from '../helpers/app.js';

const SERVER = path.join(projectRoot, 'dist', 'src', 'server.js');

interface RunningServer {
  child: ChildProcessWithoutNullStreams;
  port: number;
  dataDir: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when a log line matching `test` has been written. */
  logLine(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and signal, or rejects after `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(env: Record<string, string>): RunningServer {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [SERVER], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
  });
  const waiters: { test: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  const lines: Record<string, unknown>[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  let partial = '';
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    port: Number(env.PORT),
    dataDir: env.DATA_DIR ?? '',
    stdout: () => out,
    stderr: () => err,
    logLine: (test) => {
      const seen = lines.find(test);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ test, resolve }));
    },
    exited: (ms) =>
      Promise.race([
        exit,
        sleep(ms).then(() => {
          throw new Error(`still running after ${ms} ms\nstdout: ${out}\nstderr: ${err}`);
        }),
      ]),
  };
}

/** Polls /healthz until the server answers (start-up time is not what this test measures). */
async function waitUntilHealthy(server: RunningServer) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.stdout()}\n${server.stderr()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`server never became healthy:\n${server.stdout()}\n${server.stderr()}`);
}

describe('the built server', () => {
  const started: RunningServer[] = [];
  const dirs: string[] = [];
  beforeAll(buildOnce, 180_000);
  afterEach(() => {
    for (const server of started.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-shutdown-'));
    dirs.push(dir);
    return dir;
  };

  it('finishes the request in progress on SIGTERM, closes the database cleanly and exits 0', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir });
    started.push(server);
    await waitUntilHealthy(server);

    const setup = await fetch(`http://127.0.0.1:${port}/setup`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        organisationName: 'Acme',
        timeZone: 'Europe/Paris',
        locale: 'en',
        name: ADMIN.name,
        email: ADMIN.email,
        password: ADMIN.password,
        passwordConfirmation: ADMIN.password,
      }),
    });
    expect(setup.status).toBe(303);

    // A sign-in whose body is still on its way when the stop signal arrives, from a client that
    // keeps its connection open afterwards as a browser does.
    const body = new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }).toString();
    const browserLike = new http.Agent({ keepAlive: true });
    const request = http.request({
      agent: browserLike,
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    const response = new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
      request.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await server.logLine((line) => line.msg === 'incoming request' && (line.req as { url?: string } | undefined)?.url === '/login');

    server.child.kill('SIGTERM');
    await server.logLine((line) => line.msg === 'stopping');
    request.end(body.slice(10));

    const answered = await response;
    expect(answered.status).toBe(303);
    expect(answered.cookies.some((cookie) => cookie.startsWith('hameau_session='))).toBe(true);

    const { code, signal } = await server.exited(10_000);
    browserLike.destroy();
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(server.stderr()).toBe('');

    // Closed cleanly: the write-ahead log was checkpointed into the file and removed (or left empty).
    const wal = path.join(dataDir, 'hameau.db-wal');
    expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
    const db = new SQLite(path.join(dataDir, 'hameau.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The sign-in that finished during the stop was saved.
      expect((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n).toBe(2);
    } finally {
      db.close();
    }
  });

  it('stops at once when idle, and no longer accepts connections', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: dataDir });
    started.push(server);
    await waitUntilHealthy(server);
    // A browser's idle keep-alive connection must not hold the stop back.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );

    server.child.kill('SIGTERM');
    const { code } = await server.exited(10_000);
    agent.destroy();
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const wal = path.join(dataDir, 'hameau.db-wal');
    expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
  });

  it('refuses a bad configuration with exit code 1 and a clear message, without a stack trace', async () => {
    const dataDir = tempDir();
    const server = startServer({ PORT: 'abc', DATA_DIR: dataDir, LOG_LEVEL: 'loud' });
    started.push(server);
    const { code } = await server.exited(10_000);
    expect(code).toBe(1);
    const stderr = server.stderr();
    expect(stderr).toContain('Hameau cannot start.');
    expect(stderr).toContain('PORT must be a whole number from 1 to 65535 (got "abc")');
    expect(stderr).toContain('LOG_LEVEL must be one of');
    expect(stderr).toContain('README.md');
    expect(stderr).not.toMatch(/\n\s+at |Error:|node:internal/);
    expect(server.stdout()).toBe('');
    // Nothing was created: it stopped before opening the database.
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('explains a data directory it cannot use, without a stack trace', async () => {
    const parent = tempDir();
    const notADirectory = path.join(parent, 'a-file');
    fs.writeFileSync(notADirectory, '');
    const server = startServer({ PORT: String(await freePort()), DATA_DIR: path.join(notADirectory, 'data') });
    started.push(server);
    const { code } = await server.exited(10_000);
    expect(code).toBe(1);
    expect(server.stderr()).toMatch(/^Hameau cannot start: .*a-file/);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
  });
});
