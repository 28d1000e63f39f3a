// `npm run bench`: seeds realistic databases (cached between runs), starts the built server on a copy,
// signs in as a seeded member and drives it with autocannon over loopback: the home feed at 10 and 50
// connections, a space feed, a permalink page with 50 comments, search (a common word, a rare one, a
// prefix: test/bench/search-queries.ts), the people directory, posting a comment. In the same run it
// measures a floor (test/bench/floor.ts: Fastify + Eta rendering a page of the same size from memory)
// and prints each scenario's requests per second as a ratio to it, then the home feed and the
// searches on a database ten times smaller, to show that their cost does not grow with the data.
// Not a test: numbers depend on the machine; docs/performance.md explains the method and keeps the figures.
//
//   npm run bench -- [--duration 10] [--items 100000] [--small-items 10000] [--users 1000] [--spaces 50]
//                    [--data-dir DIR] [--no-scaling] [--reseed] [--cache-dir DIR] [--keep]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { createSession } from '../../src/auth/sessions.js';
import { SEED_MEMBER_EMAIL, SEED_PASSWORD } from '../../src/cli/seed.js';
import { openDatabase } from '../../src/db/connection.js';
import { projectRoot } from '../../src/paths.js';
import { freePort } from '../helpers/process.js';
import { DIRECTORY_QUERY, SEARCH_QUERIES } from './search-queries.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    users: { type: 'string', default: '1000' },
    spaces: { type: 'string', default: '50' },
    items: { type: 'string', default: '100000' },
    'small-items': { type: 'string', default: '10000' },
    'random-seed': { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
    'cache-dir': { type: 'string', default: path.join(os.tmpdir(), 'hameau-bench-cache') },
    'no-scaling': { type: 'boolean', default: false },
    reseed: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const CACHE_MAX_AGE_MS = 7 * 86_400_000;

// ---------------------------------------------------------------------------------------------
// Seeded databases, cached by their parameters and the code that makes them.

interface SeedParams {
  users: number;
  spaces: number;
  items: number;
  randomSeed: number;
}

/** Changes whenever the seed's code, the schema, the markdown renderer or the reaction set changes. */
function seedCodeHash(): string {
  const hash = createHash('sha256');
  const files = [
    'src/cli/seed.ts',
    'src/cli/seed-content.ts',
    'src/content/markdown.ts',
    'src/features/conversation/reactions.ts',
    // The seed builds the search index through them.
    'src/search/core-sources.ts',
    'src/search/sync.ts',
    ...fs.readdirSync(path.join(projectRoot, 'migrations')).map((f) => `migrations/${f}`),
  ].sort();
  for (const file of files) hash.update(file).update(fs.readFileSync(path.join(projectRoot, file)));
  return hash.digest('hex').slice(0, 12);
}

function runSeed(dataDir: string, params: SeedParams): void {
  const args = ['--data-dir', dataDir, '--users', String(params.users), '--spaces', String(params.spaces), '--items', String(params.items), '--random-seed', String(params.randomSeed)];
  console.log(`\nSeeding ${dataDir} (${params.items} items)…`);
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'dist/src/cli/seed.js'), ...args], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the seed failed (exit ${result.status}); is dist/ built? (npm run bench builds it)`);
}

/** A seeded hameau.db for these parameters: from the cache when it is there and recent, seeded otherwise. */
function seededDatabase(params: SeedParams): string {
  const root = values['cache-dir']!;
  fs.mkdirSync(root, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    const stat = fs.statSync(path.join(root, entry));
    if (Date.now() - stat.mtimeMs > CACHE_MAX_AGE_MS) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  const key = `u${params.users}-s${params.spaces}-i${params.items}-r${params.randomSeed}-${seedCodeHash()}`;
  const dir = path.join(root, key);
  const file = path.join(dir, 'hameau.db');
  if (values.reseed) fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(file)) {
    console.log(`\nReusing the seeded database ${file} (seeded ${new Date(fs.statSync(file).mtimeMs).toISOString()}; --reseed to make it again).`);
    return file;
  }
  // Databases made by an older seed for the same parameters are of no more use.
  const prefix = key.slice(0, key.lastIndexOf('-') + 1);
  for (const entry of fs.readdirSync(root)) {
    if (entry.startsWith(prefix) && !entry.includes('.tmp-')) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  runSeed(tmp, params);
  fs.renameSync(tmp, dir);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Processes: Hameau (built, as `npm start` runs it) and the floor.

interface Server {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
}

async function startHameau(dataDir: string): Promise<Server> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // As `npm start` and the Docker image run it (package.json, Dockerfile).
  const child = spawn(process.execPath, ['--max-semi-space-size=4', '--heap-growing-percent=50', path.join(projectRoot, 'dist/src/server.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: base, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server stopped at start (exit ${child.exitCode})`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (performance.now() - started > 180_000) {
        child.kill('SIGTERM');
        throw new Error('the server did not start within 3 minutes');
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`\nHameau started in ${((performance.now() - started) / 1000).toFixed(1)} s on ${dataDir}.`);
  return { base, pid: child.pid!, stop: stopper(child) };
}

async function startFloor(bytes: number): Promise<Server & { bytes: number; cards: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'test/bench/floor.ts'), '--port', '0', '--bytes', String(bytes)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('the floor server did not start within 60 s'));
    }, 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (text) => {
      clearTimeout(timer);
      resolve(text);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the floor server stopped (exit ${code})`));
    });
  });
  const ready = JSON.parse(line) as { port: number; bytes: number; cards: number };
  return { base: `http://127.0.0.1:${ready.port}`, pid: child.pid!, bytes: ready.bytes, cards: ready.cards, stop: stopper(child) };
}

// ---------------------------------------------------------------------------------------------
// Signing in, and what to point the scenarios at.

function originHeaders(base: string, cookie?: string): Record<string, string> {
  return { origin: base, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) };
}

/** Signs in once (sign-in is rate-limited and slow on purpose) and accepts the usage charter if asked. */
export async function signIn(base: string, email: string): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: originHeaders(base),
    body: new URLSearchParams({ email, password: SEED_PASSWORD }),
    redirect: 'manual',
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie.startsWith('hameau_session=')) throw new Error(`sign-in as ${email} failed: ${login.status}`);
  const home = await fetch(`${base}/`, { headers: { cookie }, redirect: 'manual' });
  const location = home.headers.get('location') ?? '';
  if (home.status >= 300 && home.status < 400 && location.startsWith('/charter')) {
    // Accept the charter the way the page offers it: its POST form, with its fields.
    const page = await (await fetch(new URL(location, base), { headers: { cookie } })).text();
    // The page's own form (action under /charter), not the header's sign-out form.
    const form = [...page.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/gi)].find((f) => f[1]!.startsWith('/charter'));
    if (!form) throw new Error('the server asks to accept the charter, but its page has no form to accept it');
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<(?:input|button)[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) fields.append(input[1]!, input[2]!);
    const accepted = await fetch(new URL(form[1]!, base), { method: 'POST', headers: originHeaders(base, cookie), body: fields, redirect: 'manual' });
    if (accepted.status >= 400) throw new Error(`accepting the charter failed: ${accepted.status}`);
    console.log(`Accepted the usage charter (${form[1]} answered ${accepted.status}).`);
  }
  return cookie;
}

interface Targets {
  spaceId: number;
  spaceItems: number;
  permalinkId: number;
  commentTargetId: number;
}

/** The member's busiest space, the newest item they see with exactly 50 comments, a post to comment on. */
function findTargets(dbFile: string): Targets {
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const now = Date.now();
    const member = db.prepare<[string], { id: number }>('select id from users where email = ?').get(SEED_MEMBER_EMAIL);
    if (!member) throw new Error(`${dbFile} has no ${SEED_MEMBER_EMAIL}: not a seeded database?`);
    const live = 'c.deleted_at is null and c.hidden_at is null and c.published_at <= @now';
    const visible = `(c.space_id in (select id from spaces where visibility in ('company', 'open')) or c.space_id in (select space_id from space_members where user_id = @member))`;
    const space = db
      .prepare<{ now: number; member: number }, { id: number; n: number }>(
        `select sm.space_id as id, count(*) as n from space_members sm join content c on c.space_id = sm.space_id and ${live}
         where sm.user_id = @member group by sm.space_id order by n desc limit 1`,
      )
      .get({ now, member: member.id });
    const permalink = db
      .prepare<{ now: number; member: number }, { id: number }>(
        `select c.id from content c join comments k on k.content_id = c.id and k.deleted_at is null and k.hidden_at is null
         where ${live} and ${visible} group by c.id having count(*) = 50 order by c.id desc limit 1`,
      )
      .get({ now, member: member.id });
    if (!permalink) throw new Error('no item with exactly 50 comments visible to the member: the seed guarantees one when --comments >= 50');
    const target = db
      .prepare<{ now: number; skip: number }, { id: number }>(
        `select c.id from content c join spaces s on s.id = c.space_id and s.visibility = 'company'
         where ${live} and c.kind = 'post' and c.comments_enabled = 1 and c.id != @skip order by c.published_at desc limit 1`,
      )
      .get({ now, skip: permalink.id });
    return { spaceId: space?.id ?? 1, spaceItems: space?.n ?? 0, permalinkId: permalink.id, commentTargetId: target?.id ?? permalink.id };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

interface Scenario {
  name: string;
  connections: number;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Statuses that count as success: 2xx for pages, 2xx or 3xx for form posts (POST then redirect). */
  accept: '2xx' | '2xx-3xx';
  /** For a redirect: where it must lead (a redirect to /login would mean the session was refused). */
  location?: string;
  /** Session cookies used in turn, one per request (instead of `headers.cookie`). */
  rotateCookies?: string[];
}

interface Row {
  name: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  bytes: number | null;
  failures: number;
  failure: string | null;
  /** The load ran (a failed probe skips it): its figures are shown even when it failed. */
  ran: boolean;
  requests: number;
  peakRssMb: number | null;
  floorKey?: string;
}

function vmKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) so each scenario gets its own peak; false where that is not allowed. */
function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function warmUp(url: string, headers: Record<string, string> = {}): Promise<void> {
  await autocannon({ url, headers, connections: 10, duration: 3 });
}

async function run(scenario: Scenario, pid: number): Promise<Row> {
  const row: Row = { name: scenario.name, connections: scenario.connections, rps: 0, p50: 0, p99: 0, bytes: null, failures: 0, failure: null, ran: false, requests: 0, peakRssMb: null };
  // One request first: a scenario that answers an error is reported as failed, never as fast.
  const firstCookie = scenario.rotateCookies?.[0];
  const probeHeaders = firstCookie === undefined ? (scenario.headers ?? {}) : { ...scenario.headers, cookie: firstCookie };
  const probe = await fetch(scenario.url, { method: scenario.method ?? 'GET', headers: probeHeaders, body: scenario.body ?? null, redirect: 'manual' });
  const probeBody = Buffer.from(await probe.arrayBuffer());
  row.bytes = probeBody.length;
  const location = probe.headers.get('location');
  const ok =
    probe.status < 300 ||
    (scenario.accept === '2xx-3xx' && probe.status < 400 && (scenario.location === undefined || (location ?? '').startsWith(scenario.location)));
  if (!ok) {
    row.failure = `answered ${probe.status}${location ? ` → ${location}` : ''}`;
    return row;
  }
  const reset = resetPeak(pid);
  let polledKb = 0;
  const poll = setInterval(() => (polledKb = Math.max(polledKb, vmKb(pid, 'VmRSS'))), 100);
  try {
    const cookies = scenario.rotateCookies;
    let turn = 0;
    const result = await autocannon({
      url: scenario.url,
      method: scenario.method ?? 'GET',
      headers: scenario.headers ?? {},
      ...(scenario.body === undefined ? {} : { body: scenario.body }),
      // Each request with the next cookie in turn.
      ...(cookies === undefined
        ? {}
        : { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, cookie: cookies[turn++ % cookies.length]! } }) }] }),
      connections: scenario.connections,
      duration,
    });
    row.ran = true;
    row.requests = result.requests.total;
    row.rps = Math.round(result.requests.average);
    row.p50 = result.latency.p50;
    row.p99 = result.latency.p99;
    // autocannon's `errors` include its `timeouts` (no answer within 10 s).
    row.failures = result.errors + result['1xx'] + result['4xx'] + result['5xx'] + (scenario.accept === '2xx' ? result['3xx'] : 0);
    const answered = result['2xx'] + result['3xx'];
    if (answered === 0 && row.failures === 0) {
      row.failures = 1;
      row.failure = 'no answer during the run';
    } else if (row.failures > 0) {
      const codes = Object.entries(result.statusCodeStats ?? {})
        .filter(([code]) => Number(code) >= (scenario.accept === '2xx' ? 300 : 400))
        .map(([code, s]) => `${s.count ?? 0}× ${code}`);
      const connectionErrors = result.errors - result.timeouts;
      row.failure = `${[
        ...codes,
        ...(connectionErrors ? [`${connectionErrors} connection errors`] : []),
        ...(result.timeouts ? [`${result.timeouts} timeouts (no answer in 10 s)`] : []),
      ].join(', ')} in ${result.requests.total} requests`;
    }
  } finally {
    clearInterval(poll);
  }
  row.peakRssMb = Math.round((reset ? vmKb(pid, 'VmHWM') : Math.max(polledKb, vmKb(pid, 'VmRSS'))) / 1024);
  return row;
}

function hameauScenarios(base: string, cookie: string, targets: Targets, writers: string[]): Scenario[] {
  const signedIn = { cookie };
  return [
    { name: 'GET /healthz', connections: 10, url: `${base}/healthz`, accept: '2xx' },
    { name: 'GET /login (visitor)', connections: 10, url: `${base}/login`, accept: '2xx' },
    { name: 'GET / home feed', connections: 10, url: `${base}/`, headers: signedIn, accept: '2xx' },
    { name: 'GET / home feed', connections: 50, url: `${base}/`, headers: signedIn, accept: '2xx' },
    // Many people in turn, each loading their own home feed: what they see alike (items, cards) is kept
    // once for everyone, what is their own is read for each (docs/performance.md). Not a target; it
    // says how far the one-person figures above carry.
    {
      name: `GET / each person's home feed (${writers.length} people)`,
      connections: 50,
      url: `${base}/`,
      rotateCookies: writers,
      accept: '2xx',
    },
    { name: `GET /spaces/${targets.spaceId} space feed`, connections: 10, url: `${base}/spaces/${targets.spaceId}`, headers: signedIn, accept: '2xx' },
    { name: `GET /content/${targets.permalinkId} (50 comments)`, connections: 10, url: `${base}/content/${targets.permalinkId}`, headers: signedIn, accept: '2xx' },
    // Search (issue 4): the results page for a common word, a rare one and a word being typed.
    ...SEARCH_QUERIES.map(
      (q): Scenario => ({ name: `GET /search?q=${q.q} (${q.name})`, connections: 10, url: `${base}/search?q=${encodeURIComponent(q.q)}`, headers: signedIn, accept: '2xx' }),
    ),
    // The people directory (issue 4, src/features/people): the beginning of a common name.
    { name: `GET /people?q=${DIRECTORY_QUERY} (directory)`, connections: 10, url: `${base}/people?q=${DIRECTORY_QUERY}`, headers: signedIn, accept: '2xx' },
    {
      name: `POST /content/${targets.commentTargetId}/comments`,
      connections: 10,
      url: `${base}/content/${targets.commentTargetId}/comments`,
      method: 'POST',
      headers: originHeaders(base),
      // Many people in turn: one person may publish only so many posts and comments in ten minutes.
      rotateCookies: writers,
      // The same text every time (autocannon's idReplacement stalls POST bodies in 8.0).
      body: new URLSearchParams({ body: 'Merci pour le partage, je transmets à l’équipe !' }).toString(),
      accept: '2xx-3xx',
      location: `/content/${targets.commentTargetId}`,
    },
    // Last: argon2id holds 19 MiB per hash, and a sign-in is not what this issue is about.
    {
      name: 'POST /login (argon2id)',
      connections: 10,
      url: `${base}/login`,
      method: 'POST',
      headers: originHeaders(base),
      body: new URLSearchParams({ email: SEED_MEMBER_EMAIL, password: SEED_PASSWORD }).toString(),
      accept: '2xx-3xx',
      location: '/',
    },
  ];
}

/** A fresh copy of a seeded database in its own data directory: the bench writes (sessions, comments). */
function runCopy(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-bench-run-'));
  fs.copyFileSync(source, path.join(dir, 'hameau.db'));
  // A database given with --data-dir may have writes still in its write-ahead log.
  if (fs.existsSync(`${source}-wal`)) fs.copyFileSync(`${source}-wal`, path.join(dir, 'hameau.db-wal'));
  return dir;
}

/**
 * People who comment during the run, each with a session made straight in the run's copy of the
 * database before the server starts: one person may publish only so many posts and comments in ten
 * minutes (RATE_LIMITS.contentWritesPerUser), and signing hundreds of people in through argon2 would
 * spend time and memory the scenario is not about. 25 people per second of the run: within the limit
 * (60 each), enough for about 1,500 comments a second.
 */
async function writerSessions(dataDir: string, count: number): Promise<string[]> {
  const handle = openDatabase({ dataDir, synchronous: 'NORMAL' });
  try {
    const people = await handle.db
      .selectFrom('users')
      .select('id')
      .where('status', '=', 'active')
      .where('email', '!=', SEED_MEMBER_EMAIL)
      .orderBy('id')
      .limit(count)
      .execute();
    const tokens: string[] = [];
    for (const person of people) tokens.push((await createSession(handle.db, person.id, 'hameau bench')).token);
    return tokens;
  } finally {
    await handle.close();
  }
}

async function benchHameau(dbFile: string, label: string, full: boolean): Promise<{ rows: Row[]; homeBytes: number; targets: Targets }> {
  const dataDir = runCopy(dbFile);
  let server: Server | null = null;
  try {
    const targets = findTargets(path.join(dataDir, 'hameau.db'));
    const writerTokens = full ? await writerSessions(dataDir, Math.ceil(duration * 25)) : [];
    server = await startHameau(dataDir);
    const cookie = await signIn(server.base, SEED_MEMBER_EMAIL);
    // The session cookie's name as the server set it ("hameau_session", or __Host- over https).
    const writers = writerTokens.map((token) => `${cookie.slice(0, cookie.indexOf('='))}=${token}`);
    const home = await fetch(`${server.base}/`, { headers: { cookie }, redirect: 'manual' });
    const homePage = Buffer.from(await home.arrayBuffer());
    const homeBytes = homePage.length;
    const articles = homePage.toString('utf8').match(/<article[\s>]/g)?.length ?? 0;
    console.log(`\n${label}: server pid ${server.pid}, signed in as ${SEED_MEMBER_EMAIL}; home feed ${home.status}, ${homeBytes} bytes, ${articles} <article> elements`);
    await warmUp(`${server.base}/`, { cookie });
    // The small database: the scenarios whose cost must not grow with the data (home feed, search).
    const scenarios = hameauScenarios(server.base, cookie, targets, writers).filter((s) => full || s.name.startsWith('GET / home') || s.name.startsWith('GET /search'));
    const rows: Row[] = [];
    for (const scenario of scenarios) {
      const row = await run(scenario, server.pid);
      rows.push(row);
      console.log(`  ${row.name} @${row.connections}: ${row.ran ? `${row.rps} req/s, p99 ${row.p99} ms` : ''}${row.failure ? ` FAILED (${row.failure})` : ''}`);
    }
    return { rows, homeBytes, targets };
  } finally {
    await server?.stop();
    if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.log(`Kept ${dataDir}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Output.

function machine(): string {
  const cpus = os.cpus();
  return [
    `CPU: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} cores (logical)`,
    `RAM: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `Node ${process.version}, ${os.type()} ${os.release()}`,
    `Load average at start: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')} (other work on the machine skews the figures)`,
  ].join('\n');
}

function table(rows: Row[], floors: Map<number, Row>): string {
  const lines = ['| Scenario | conns | req/s | × floor | p50 ms | p99 ms | page bytes | peak RSS MB | result |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const row of rows) {
    const floor = floors.get(row.connections);
    // A failed scenario keeps its figures (they say how it failed) but gets no ratio: it is not "fast".
    const ratio = floor && floor.rps > 0 && !row.failure ? (row.rps / floor.rps).toFixed(2) : '–';
    const figure = (n: number) => (row.ran ? String(n) : '–');
    lines.push(
      `| ${row.name} | ${row.connections} | ${figure(row.rps)} | ${ratio} | ${figure(row.p50)} | ${figure(row.p99)} | ${row.bytes ?? '–'} | ${row.peakRssMb ?? '–'} | ${row.failure ? `FAILED: ${row.failure}` : 'ok'} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  console.log(machine());
  const params: SeedParams = { users: Number(values.users), spaces: Number(values.spaces), items: Number(values.items), randomSeed: Number(values['random-seed']) };

  let bigDb: string;
  if (values['data-dir']) {
    bigDb = path.join(path.resolve(values['data-dir']), 'hameau.db');
    if (!fs.existsSync(bigDb)) runSeed(path.resolve(values['data-dir']), params);
    else console.log(`\nUsing the database in ${values['data-dir']} as it is (the bench works on a copy).`);
  } else {
    bigDb = seededDatabase(params);
  }
  const smallDb = values['no-scaling'] ? null : seededDatabase({ ...params, items: Number(values['small-items']) });

  const big = await benchHameau(bigDb, `${params.items} items`, true);

  // The floor: a page of the same size as Hameau's home feed, same load.
  const floor = await startFloor(big.homeBytes);
  const floors = new Map<number, Row>();
  try {
    console.log(`\nFloor: pid ${floor.pid}, ${floor.cards} cards, ${floor.bytes} bytes (Hameau's home feed: ${big.homeBytes})`);
    await warmUp(`${floor.base}/`);
    for (const connections of [10, 50]) {
      const row = await run({ name: 'Floor: Fastify + Eta, from memory', connections, url: `${floor.base}/`, accept: '2xx' }, floor.pid);
      floors.set(connections, row);
      console.log(`  floor @${connections}: ${row.rps} req/s, p99 ${row.p99} ms`);
    }
  } finally {
    await floor.stop();
  }

  const small = smallDb ? await benchHameau(smallDb, `${values['small-items']} items`, false) : null;

  console.log(`\n## Results\n\n${machine()}\n${duration} s per scenario, autocannon in the bench process, server and floor in their own processes.\n`);
  console.log(`Database: ${params.users} people, ${params.spaces} spaces + company, ${params.items} items (3 comments and 5 reactions per item on average).`);
  console.log(`Signed in as ${SEED_MEMBER_EMAIL} (member of 5 spaces, 2 private); space feed: space ${big.targets.spaceId} (${big.targets.spaceItems} items).\n`);
  console.log(table([...big.rows, ...floors.values()], floors));

  const homeAt = (rows: Row[], connections: number) => rows.find((r) => r.name.startsWith('GET / home') && r.connections === connections);
  if (small) {
    console.log(`\n### Scaling: home feed, ${values['small-items']} vs ${params.items} items\n`);
    console.log('| Items | conns | req/s | p50 ms | p99 ms | page bytes | result |\n| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const [label, rows] of [[values['small-items'], small.rows], [String(params.items), big.rows]] as const) {
      for (const connections of [10, 50]) {
        const r = homeAt(rows, connections);
        const figure = (n: number) => (r?.ran ? String(n) : '–');
        if (r) console.log(`| ${label} | ${connections} | ${figure(r.rps)} | ${figure(r.p50)} | ${figure(r.p99)} | ${r.bytes ?? '–'} | ${r.failure ? `FAILED: ${r.failure}` : 'ok'} |`);
      }
    }
  }

  const searchRows = (rows: Row[]) => rows.filter((r) => r.name.startsWith('GET /search'));
  if (small) {
    console.log(`\n### Scaling: search, ${values['small-items']} vs ${params.items} items\n`);
    console.log('| Search | Items | req/s | p50 ms | p99 ms | page bytes | result |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of searchRows(big.rows)) {
      for (const [label, row] of [[values['small-items'], small.rows.find((x) => x.name === r.name)], [String(params.items), r]] as const) {
        const figure = (n: number) => (row?.ran ? String(n) : '–');
        if (row) console.log(`| ${r.name} | ${label} | ${figure(row.rps)} | ${figure(row.p50)} | ${figure(row.p99)} | ${row.bytes ?? '–'} | ${row.failure ? `FAILED: ${row.failure}` : 'ok'} |`);
      }
    }
  }

  // The issue's targets, checked against this run.
  const checks: string[] = [];
  const home50 = homeAt(big.rows, 50);
  const home10 = homeAt(big.rows, 10);
  const floor50 = floors.get(50);
  if (home50 && floor50 && !home50.failure) checks.push(`home feed @50 ≥ 0.5 × floor: ${(home50.rps / floor50.rps).toFixed(2)} ${home50.rps / floor50.rps >= 0.5 ? 'PASS' : 'FAIL'}`);
  else checks.push(`home feed @50 ≥ 0.5 × floor: FAIL (the scenario failed: ${home50?.failure ?? 'not run'})`);
  if (home10 && !home10.failure) checks.push(`home feed @10 p99 < 50 ms: ${home10.p99} ms ${home10.p99 < 50 ? 'PASS' : 'FAIL'}`);
  else checks.push(`home feed @10 p99 < 50 ms: FAIL (the scenario failed: ${home10?.failure ?? 'not run'})`);
  const contentRows = big.rows.filter((r) => !r.name.startsWith('POST /login') && r.peakRssMb !== null);
  const contentPeak = Math.max(0, ...contentRows.map((r) => r.peakRssMb ?? 0));
  const runPeak = Math.max(0, ...big.rows.map((r) => r.peakRssMb ?? 0));
  checks.push(`peak RSS < 250 MB: ${contentPeak} MB over every scenario but sign-in ${contentPeak < 250 ? 'PASS' : 'FAIL'} (sign-in included: ${runPeak} MB)`);
  if (small) {
    const s10 = homeAt(small.rows, 10);
    if (s10 && home10 && !s10.failure && !home10.failure) {
      const ratio = home10.rps / s10.rps;
      checks.push(`home feed cost independent of size: ${params.items} items at ${(ratio * 100).toFixed(0)}% of the req/s at ${values['small-items']} ${ratio >= 0.8 ? 'PASS' : 'FAIL'} (within 20%)`);
    } else checks.push('home feed cost independent of size: FAIL (a scenario failed)');
  }
  // Issue 4: search and the directory at 10 connections; search roughly flat from the small database to the big one.
  for (const r of searchRows(big.rows)) {
    if (r.failure) checks.push(`${r.name} @10 p99 < 100 ms: FAIL (the scenario failed: ${r.failure})`);
    else checks.push(`${r.name} @10 p99 < 100 ms: ${r.p99} ms ${r.p99 < 100 ? 'PASS' : 'FAIL'}`);
    const s10 = small?.rows.find((x) => x.name === r.name);
    if (small && s10 && !s10.failure && !r.failure) {
      const ratio = r.rps / s10.rps;
      checks.push(`${r.name} cost roughly flat: ${params.items} items at ${(ratio * 100).toFixed(0)}% of the req/s at ${values['small-items']} ${ratio >= 0.8 ? 'PASS' : 'FAIL'} (within 20%)`);
    } else if (small) checks.push(`${r.name} cost roughly flat: FAIL (a scenario failed)`);
  }
  const directory = big.rows.find((r) => r.name.includes('(directory)'));
  if (directory && !directory.failure) checks.push(`directory @10 p99 < 50 ms: ${directory.p99} ms ${directory.p99 < 50 ? 'PASS' : 'FAIL'}`);
  else checks.push(`directory @10 p99 < 50 ms: FAIL (the scenario failed: ${directory?.failure ?? 'not run'})`);
  console.log(`\n### Targets\n\n${checks.map((c) => `- ${c}`).join('\n')}`);
  const failed = [...big.rows, ...(small?.rows ?? [])].filter((r) => r.failure);
  if (failed.length > 0) {
    console.log(`\n${failed.length} scenario(s) FAILED: they count as failures, whatever their figures.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
