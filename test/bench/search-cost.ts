// `npx tsx test/bench/search-cost.ts --data-dir DIR [--iterations 200] [--against BIGGER_DIR]
// [--q WORD...]`: what one search costs, in process (app.inject, no network, no autocannon), on a
// seeded database: each query of the bench's search scenarios, signed in as the seeded member, timed
// one request at a time.
// A single thread answering 10 connections serves them in turn, so p99 at 10 connections is roughly
// 10 × the mean here: this is the figure to tune before running the bench on a shared machine.
// With --against, both databases are opened in the same process and their requests alternate, so
// that the machine's noise falls on both alike: it prints each query's mean and p50 on both, and the
// ratio the bench's "cost roughly flat" check reads (DIR's time over BIGGER_DIR's, 80 % or more).
// `--q` (repeatable) times these searches instead of the bench's. Works on the databases as they are
// (it writes one session in each): give it copies.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/app.js';
import { createSession } from '../../src/auth/sessions.js';
import { SEED_MEMBER_EMAIL } from '../../src/cli/seed.js';
import { loadConfig } from '../../src/config.js';
import { sessionCookieName } from '../../src/http/cookies.js';
import { SEARCH_QUERIES } from './search-queries.js';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, iterations: { type: 'string', default: '200' }, against: { type: 'string' }, q: { type: 'string', multiple: true } },
});
if (!values['data-dir']) throw new Error('--data-dir DIR (a copy of a seeded data directory)');
const iterations = Number(values.iterations);

async function open(dir: string) {
  const config = loadConfig({ DATA_DIR: path.resolve(dir), LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:3000' });
  const app = await buildApp(config);
  const member = await app.db.selectFrom('users').select('id').where('email', '=', SEED_MEMBER_EMAIL).executeTakeFirstOrThrow();
  const { token } = await createSession(app.db, member.id, 'search cost');
  const cookie = `${sessionCookieName(config)}=${token}`;
  return { app, get: (url: string) => app.inject({ method: 'GET', url, headers: { cookie } }) };
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: at(0.5), p99: at(0.99) };
}

const databases = [await open(values['data-dir']), ...(values.against ? [await open(values.against)] : [])];
try {
  const words = values.q ?? SEARCH_QUERIES.map((q) => q.q);
  const urls = [...words.map((q) => `/search?q=${encodeURIComponent(q)}`), ...words.map((q) => `/search/suggest?q=${encodeURIComponent(q)}`)];
  for (const url of urls) {
    const firsts = [];
    for (const db of databases) {
      const first = await db.get(url);
      if (first.statusCode !== 200) throw new Error(`${url} answered ${first.statusCode}`);
      firsts.push(first);
    }
    const times: number[][] = databases.map(() => []);
    for (let i = 0; i < iterations; i++) {
      // Alternate which database goes first, so neither always follows the other's work.
      const order = i % 2 === 0 ? databases.keys() : [...databases.keys()].reverse();
      for (const d of order) {
        const started = performance.now();
        await databases[d]!.get(url);
        times[d]!.push(performance.now() - started);
      }
    }
    const [small, big] = times.map(summary);
    const hits = (body: string) => (body.match(/class="search-hit /g) ?? body.match(/<li><a href=/g) ?? []).length;
    if (!big) {
      console.log(`${url.padEnd(40)} mean ${small!.mean.toFixed(2)} ms  p50 ${small!.p50.toFixed(2)}  p99 ${small!.p99.toFixed(2)}  ${firsts[0]!.body.length} bytes, ${hits(firsts[0]!.body)} results shown`);
    } else {
      const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
      console.log(
        `${url.padEnd(40)} mean ${small!.mean.toFixed(2)} / ${big.mean.toFixed(2)} ms (${ratio(small!.mean, big.mean)})  p50 ${small!.p50.toFixed(2)} / ${big.p50.toFixed(2)} (${ratio(small!.p50, big.p50)})  ${hits(firsts[0]!.body)} / ${hits(firsts[1]!.body)} results shown`,
      );
    }
  }
} finally {
  for (const db of databases) await db.app.close();
}
