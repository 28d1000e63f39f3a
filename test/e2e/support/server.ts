// Starts the built Hameau server (dist/, as `npm start` runs it) on a free port with its own
// empty data folder, the way an administrator would on a new machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../helpers/process.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SERVER_ENTRY = path.join(ROOT, 'dist/src/server.js');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 12_000;

// Last resort: if the test process ends without stopping a server (a crash, a killed worker),
// do not leave it running on the machine.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface RunningHameau {
  /** Where a browser reaches it, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  dataDir: string;
  /** Everything the server printed, for the report when a test fails. */
  output(): string;
  /** SIGTERM, as a process manager would send; waits for the process to exit, then removes the data folder. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/src/server.js` and resolves once GET /healthz answers 200.
 *
 * @example
 * const hameau = await startHameau();
 * await page.goto(hameau.url);
 * await hameau.stop();
 */
export async function startHameau(): Promise<RunningHameau> {
  if (!existsSync(SERVER_ENTRY)) {
    throw new Error(`The server is not built (${path.relative(ROOT, SERVER_ENTRY)} is missing): run \`npm run build\`, or use \`npm run test:e2e\` which builds first.`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hameau-e2e-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // As in the container image; otherwise the server would inherit vitest's NODE_ENV=test.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
  };
  // Never send real mail from a test, whatever the developer's shell has: the admin must see the link.
  delete env.SMTP_URL;

  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );

  try {
    await waitForHealthy(url, child, exited);
  } catch (error) {
    await terminate(child, exited);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nServer output:\n${output}`);
  }

  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      const code = await terminate(child, exited);
      await rm(dataDir, { recursive: true, force: true });
      if (code !== 0 && code !== null) throw new Error(`The server exited with code ${code} after SIGTERM.\nServer output:\n${output}`);
    },
  };
}

async function waitForHealthy(url: string, child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let stoppedWith: number | null | undefined;
  void exited.then((code) => (stoppedWith = code));
  while (Date.now() < deadline) {
    if (stoppedWith !== undefined || child.exitCode !== null) {
      throw new Error(`The server stopped before it was ready (exit code ${stoppedWith ?? child.exitCode}).`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The server did not answer 200 on ${url}/healthz within ${START_TIMEOUT_MS / 1000} seconds.`);
}

/** SIGTERM, then SIGKILL if it does not stop in time (the server promises to exit within 10 s). */
async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
