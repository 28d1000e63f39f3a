// `npm run bench`: seeds a realistic database, starts the built server, drives it with autocannon
// over loopback and prints requests per second, p50/p99 latency and the server's peak memory.
// Not a test: numbers depend on the machine. Record them in docs/performance.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { SEED_ADMIN_EMAIL, SEED_PASSWORD, seed } from '../../src/cli/seed.js';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../helpers/process.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const users = Number(values.users);
const duration = Number(values.duration);
const connections = Number(values.connections);

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-bench-'));
  await seed({ dataDir, users, invitations: 50 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(projectRoot, 'dist/src/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: base, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        if (i > 100) throw new Error('the server did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: SEED_ADMIN_EMAIL, password: SEED_PASSWORD }),
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!cookie.startsWith('hameau_session=')) throw new Error(`sign-in failed: ${login.status}`);

    const scenarios: { name: string; options: autocannon.Options }[] = [
      { name: 'GET /healthz', options: { url: `${base}/healthz` } },
      { name: 'GET /login (visitor)', options: { url: `${base}/login` } },
      { name: 'GET / (signed in)', options: { url: `${base}/`, headers: { cookie } } },
      { name: `GET /admin/members (50 of ${users})`, options: { url: `${base}/admin/members`, headers: { cookie } } },
      {
        name: 'POST /login (argon2id)',
        options: {
          url: `${base}/login`,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email: SEED_ADMIN_EMAIL, password: SEED_PASSWORD }).toString(),
        },
      },
    ];

    const rows: string[] = [];
    for (const scenario of scenarios) {
      const result = await autocannon({ ...scenario.options, connections, duration });
      const errors = result.errors + result.non2xx - (scenario.name.startsWith('POST') ? result['3xx'] : 0);
      rows.push(
        `| ${scenario.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${errors} |`,
      );
    }
    console.log(`\n${users} members, ${connections} connections, ${duration} s per scenario, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}\n`);
    console.log('| Scenario | req/s | p50 ms | p99 ms | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const row of rows) console.log(row);
    console.log(`\nServer peak RSS: ${peakRssMb(server.pid!)} MB`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
