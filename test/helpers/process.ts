// Helpers for tests and tools that run the built server as a separate process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../src/paths.js';

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Compiles dist/ (`tsc -p tsconfig.build.json`), one build at a time: test files run in
 * parallel, and a build rewriting files while another test starts the compiled server would
 * make it read half a file.
 */
export async function buildOnce(): Promise<void> {
  const lock = path.join(projectRoot, 'dist', '.build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 5 * 60_000) fs.rmSync(lock, { recursive: true, force: true }); // left by a killed run
      else await sleep(200);
    }
  }
  try {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: projectRoot, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsc failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
