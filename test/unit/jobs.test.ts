// The durable job queue on a real database: runs what is due, retries with backoff, records failures,
// reruns what a crash interrupted, keeps recurring jobs going, and never runs a keyed job twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coreMigrations } from '../../migrations/index.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { backoffDelay, describeError, JobQueue } from '../../src/jobs/queue.js';

const quiet = { warn() {}, error() {}, info() {}, debug() {} } as unknown as FastifyBaseLogger;
const T0 = Date.UTC(2027, 0, 6, 9, 0);

let dir: string;
let database: DatabaseHandle;
let clock: number;
let queue: JobQueue;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-jobs-'));
  database = openDatabase({ dataDir: dir, synchronous: 'NORMAL' });
  await migrateToLatest(database.db, coreMigrations, 'core_migrations');
  clock = T0;
  queue = new JobQueue({ db: database.db, log: quiet, clock: () => clock });
});

afterEach(async () => {
  await queue.stop();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const jobRow = (id: number) => database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the job queue', () => {
  it('runs a job when it is due, with its payload, and not before', async () => {
    const seen: unknown[] = [];
    queue.register<{ n: number }>('test.echo', async ({ payload, attempt, now }) => {
      seen.push({ ...payload, attempt, now });
    });
    const id = (await queue.enqueue(database.db, { type: 'test.echo', payload: { n: 7 }, runAt: T0 + 60_000 }))!;
    expect(await queue.runDue(T0 + 59_999)).toEqual({ ran: 0, failed: 0 });
    expect(seen).toEqual([]);
    expect(await queue.runDue(T0 + 60_000)).toEqual({ ran: 1, failed: 0 });
    expect(seen).toEqual([{ n: 7, attempt: 1, now: T0 + 60_000 }]);
    expect((await jobRow(id)).state).toBe('done');
    // Done is done.
    expect(await queue.runDue(T0 + 120_000)).toEqual({ ran: 0, failed: 0 });
  });

  it('retries a failing job with exponential backoff, then records it as failed with one line of error', async () => {
    let calls = 0;
    queue.register('test.flaky', async () => {
      calls++;
      throw new Error('connect ECONNREFUSED smtp://user:secret@mail.example.com:25\n    at stack line');
    }, { maxAttempts: 3, backoffMs: 1000 });
    const id = (await queue.enqueue(database.db, { type: 'test.flaky' }))!;
    await queue.runDue(T0);
    let row = await jobRow(id);
    expect(row).toMatchObject({ state: 'pending', attempts: 1, run_at: T0 + 1000 });
    expect(row.last_error).toBe('connect ECONNREFUSED smtp://***@mail.example.com:25');
    expect(row.last_error).not.toContain('secret');
    await queue.runDue(T0 + 999);
    expect(calls).toBe(1);
    await queue.runDue(T0 + 1000);
    row = await jobRow(id);
    expect(row).toMatchObject({ state: 'pending', attempts: 2, run_at: T0 + 1000 + 2000 });
    await queue.runDue(T0 + 3000);
    row = await jobRow(id);
    expect(row).toMatchObject({ state: 'failed', attempts: 3 });
    expect(calls).toBe(3);
    // A failed job stays failed until someone retries it.
    await queue.runDue(T0 + 10_000_000);
    expect(calls).toBe(3);
    clock = T0 + 20_000;
    expect(await queue.retry(id)).toBe(true);
    expect(await jobRow(id)).toMatchObject({ state: 'pending', attempts: 0, run_at: T0 + 20_000 });
    expect(await queue.retry(id)).toBe(false);
  });

  it('doubles the delay at each attempt, up to an hour', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffDelay(20, 30_000)).toBe(3_600_000);
    expect(describeError('x'.repeat(1000))).toHaveLength(300);
  });

  it('runs again a job a crash left running, once its lock has passed', async () => {
    let calls = 0;
    queue.register('test.once', async () => {
      calls++;
    });
    const id = (await queue.enqueue(database.db, { type: 'test.once' }))!;
    // As if a process claimed it and died.
    await database.db.updateTable('jobs').set({ state: 'running', attempts: 1, locked_until: T0 + 5 * 60_000 }).where('id', '=', id).execute();
    await queue.runDue(T0 + 60_000);
    expect(calls).toBe(0);
    await queue.runDue(T0 + 5 * 60_000);
    expect(calls).toBe(1);
    expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('adds a keyed job once, and runs a job with no handler as a failure (never silently)', async () => {
    const first = await queue.enqueue(database.db, { type: 'test.missing', key: 'only-one' });
    const second = await queue.enqueue(database.db, { type: 'test.missing', key: 'only-one' });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    await queue.runDue(T0);
    const row = await jobRow(first!);
    expect(row.last_error).toBe('no handler registered for job type "test.missing"');
  });

  it('enqueues in the caller’s transaction: a rollback leaves no job', async () => {
    await database.db
      .transaction()
      .execute(async (trx) => {
        await queue.enqueue(trx, { type: 'test.any' });
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(await database.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
  });

  it('keeps a recurring job in one row, rescheduled after each run, failed or not', async () => {
    const runs: number[] = [];
    let fail = false;
    await queue.recurring(
      'test.tick',
      async ({ now }) => {
        runs.push(now);
        if (fail) throw new Error('boom');
      },
      { next: (now) => now + 60_000, runAtStart: true, maxAttempts: 1 },
    );
    await queue.runDue(T0);
    await queue.runDue(T0 + 30_000);
    await queue.runDue(T0 + 60_000);
    expect(runs).toEqual([T0, T0 + 60_000]);
    fail = true;
    await queue.runDue(T0 + 120_000);
    const rows = await database.db.selectFrom('jobs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'pending', run_at: T0 + 180_000, last_error: 'boom', key: 'recurring:test.tick' });
    // A second start (a restart) does not add another row.
    const again = new JobQueue({ db: database.db, log: quiet, clock: () => clock });
    await again.recurring('test.tick', async () => {}, { next: (now) => now + 60_000, runAtStart: true });
    expect(await database.db.selectFrom('jobs').selectAll().execute()).toHaveLength(1);
  });

  it('claims each due job once, even when two passes run side by side', async () => {
    let calls = 0;
    queue.register('test.count', async () => {
      calls++;
    });
    for (let i = 0; i < 5; i++) await queue.enqueue(database.db, { type: 'test.count' });
    const other = new JobQueue({ db: database.db, log: quiet, clock: () => clock });
    other.register('test.count', async () => {
      calls++;
    });
    await Promise.all([queue.runDue(T0), other.runDue(T0)]);
    expect(calls).toBe(5);
  });

  it('runs nothing once stopped', async () => {
    let calls = 0;
    queue.register('test.late', async () => {
      calls++;
    });
    await queue.enqueue(database.db, { type: 'test.late' });
    await queue.stop();
    await queue.runDue(T0);
    expect(calls).toBe(0);
  });

  it('refuses a second handler for the same type', () => {
    queue.register('test.dup', async () => {});
    expect(() => queue.register('test.dup', async () => {})).toThrow(/already registered/);
  });
});
