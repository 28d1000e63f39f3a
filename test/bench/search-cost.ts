// `npx tsx test/bench/search-cost.ts --data-dir DIR [--iterations 200]`: what one search costs, in
// process (app.inject, no network, no autocannon), on a seeded database: each query of the bench's
// search scenarios, signed in as the seeded member, timed one request at a time. A single thread
// answering 10 connections serves them in turn, so p99 at 10 connections is roughly 10 × the mean
// here: this is the figure to tune before running the bench on a shared machine.
// Works on the database as it is (it writes one session): give it a copy.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/app.js';
import { createSession } from '../../src/auth/sessions.js';
import { SEED_MEMBER_EMAIL } from '../../src/cli/seed.js';
import { loadConfig } from '../../src/config.js';
import { sessionCookieName } from '../../src/http/cookies.js';
import { SEARCH_QUERIES } from './search-queries.js';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, iterations: { type: 'string', default: '200' } } });
if (!values['data-dir']) throw new Error('--data-dir DIR (a copy of a seeded data directory)');
const iterations = Number(values.iterations);
const config = loadConfig({ DATA_DIR: path.resolve(values['data-dir']), LOG_LEVEL: 'warn', PUBLIC_URL: 'http://127.0.0.1:3000' });
const app = await buildApp(config);
try {
  const member = await app.db.selectFrom('users').select('id').where('email', '=', SEED_MEMBER_EMAIL).executeTakeFirstOrThrow();
  const { token } = await createSession(app.db, member.id, 'search cost');
  const cookie = `${sessionCookieName(config)}=${token}`;
  const urls = [...SEARCH_QUERIES.map((q) => `/search?q=${encodeURIComponent(q.q)}`), ...SEARCH_QUERIES.map((q) => `/search/suggest?q=${encodeURIComponent(q.q)}`)];
  for (const url of urls) {
    const first = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (first.statusCode !== 200) throw new Error(`${url} answered ${first.statusCode}`);
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const started = performance.now();
      await app.inject({ method: 'GET', url, headers: { cookie } });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    const hits = (first.body.match(/class="search-hit /g) ?? first.body.match(/<li><a href=/g) ?? []).length;
    console.log(`${url.padEnd(40)} mean ${mean.toFixed(2)} ms  p50 ${at(0.5).toFixed(2)}  p99 ${at(0.99).toFixed(2)}  ${first.body.length} bytes, ${hits} results shown`);
  }
} finally {
  await app.close();
}
