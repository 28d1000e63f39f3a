// The durable job queue: work stored in the `jobs` table and run in-process by a small worker, so
// that a restart loses nothing. Core features and plugins register handlers by type and enqueue jobs
// (in their own transaction when the job must exist only if their write commits).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, JobState, Millis } from '../db/schema.js';

/** What a handler receives. */
export interface JobContext<Payload> {
  /** The job's row id. */
  id: number;
  type: string;
  payload: Payload;
  /** 1 on the first try. */
  attempt: number;
  /** The queue's clock when the run started: use it instead of Date.now() (tests move it). */
  now: Millis;
  db: Kysely<Database>;
}

/**
 * Does the work of one job. Throw to fail this attempt: the job is retried with exponential backoff,
 * then recorded as failed (its error message, one line, is shown to admins: never put secrets in it).
 * Handlers run at least once (a crash mid-run runs them again): make them idempotent.
 */
export type JobHandler<Payload> = (job: JobContext<Payload>) => Promise<void>;

export interface HandlerOptions {
  /** Attempts before the job is recorded as failed (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled at each attempt, at most an hour (default 30 s). */
  backoffMs?: number;
}

export interface RecurringOptions {
  /**
   * When the next run is due, from the time of the previous one (or of the start, for the first):
   * `(now) => now + 60_000`, or the next 07:30 in the organisation's time zone.
   */
  next: (now: Millis) => Millis | Promise<Millis>;
  /** Due at once on first start (default: at `next(now)`). */
  runAtStart?: boolean;
}

export interface NewJob {
  type: string;
  /** Serialised as JSON. */
  payload?: unknown;
  /** Default: now (the queue's clock). */
  runAt?: Millis;
  /** A name for the job: when a job with this key exists (in any state), nothing is added. */
  key?: string;
  /** Default: the handler's maxAttempts, else 5. */
  maxAttempts?: number;
}

export interface RunSummary {
  ran: number;
  failed: number;
}

/** A job as the admin pages show it. */
export interface JobRow {
  id: number;
  type: string;
  payload: unknown;
  state: string;
  runAt: Millis;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** A running job older than this was interrupted (the process stopped): it runs again. */
const LOCK_MS = 5 * 60 * 1000;
/** Finished jobs are kept this long (for the outbox and debugging), then deleted. */
const KEEP_DONE_MS = 7 * 24 * 60 * 60 * 1000;
const LAST_ERROR_MAX = 300;

/** Delay before retry number `attempt` (1 = the first retry): base, 2 × base, 4 × base… at most an hour. */
export function backoffDelay(attempt: number, baseMs = DEFAULT_BACKOFF_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

/** One line of an error for admins: no stack, no credentials in URLs, bounded length. */
export function describeError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const line = (raw.split('\n')[0] ?? '').replace(/\/\/[^/@\s]+@/g, '//***@').trim();
  return (line || 'error').slice(0, LAST_ERROR_MAX);
}

interface Registered {
  handler: JobHandler<unknown>;
  options: HandlerOptions;
  recurring?: RecurringOptions;
}

/**
 * The queue and its worker. `app.jobs` is one of these (src/jobs/plugin.ts).
 *
 * @example
 * app.jobs.register<{ userId: number }>('welcome.email', async ({ payload, db }) => { ... });
 * await app.jobs.enqueue(trx, { type: 'welcome.email', payload: { userId }, key: `welcome:${userId}` });
 */
export class JobQueue {
  readonly #db: Kysely<Database>;
  readonly #log: FastifyBaseLogger;
  readonly #clock: () => Millis;
  readonly #handlers = new Map<string, Registered>();
  readonly #concurrency: number;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = false;
  #lastPurge = 0;

  constructor(options: { db: Kysely<Database>; log: FastifyBaseLogger; clock?: () => Millis; concurrency?: number; pollMs?: number }) {
    this.#db = options.db;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
    this.#concurrency = options.concurrency ?? 2;
    this.#pollMs = options.pollMs ?? 5_000;
  }

  /** The queue's clock (Date.now unless a test gave another). */
  now(): Millis {
    return this.#clock();
  }

  /**
   * Registers the handler of a job type; once per type (a second registration throws). Register
   * while the app is built, before it listens.
   */
  register<Payload>(type: string, handler: JobHandler<Payload>, options: HandlerOptions = {}): void {
    if (this.#handlers.has(type)) throw new Error(`Job type "${type}" is already registered`);
    this.#handlers.set(type, { handler: handler as JobHandler<unknown>, options });
  }

  /**
   * Registers a job that runs again and again: one row (keyed by its type) rescheduled at `next()`
   * after each run, failed or not, so a restart neither loses nor doubles it.
   *
   * @example
   * await app.jobs.recurring('sessions.cleanup', async ({ db, now }) => { ... }, { next: (now) => now + 3_600_000 });
   */
  async recurring(type: string, handler: JobHandler<Record<string, never>>, options: RecurringOptions & HandlerOptions): Promise<void> {
    this.register(type, handler, { maxAttempts: options.maxAttempts ?? 3, backoffMs: options.backoffMs });
    this.#handlers.get(type)!.recurring = options;
    const now = this.#clock();
    const runAt = options.runAtStart ? now : await options.next(now);
    await this.enqueue(this.#db, { type, runAt, key: recurringKey(type), maxAttempts: options.maxAttempts ?? 3 });
  }

  /** Moves a recurring job's next run (after a setting it depends on changed). */
  async reschedule(db: Kysely<Database> | Transaction<Database>, type: string, runAt: Millis): Promise<void> {
    await db
      .updateTable('jobs')
      .set({ run_at: runAt, updated_at: this.#clock() })
      .where('key', '=', recurringKey(type))
      .where('state', '=', 'pending')
      .execute();
  }

  /**
   * Adds a job; pass the transaction of the write it belongs to, so that both commit or neither.
   * Returns its id, or null when a job with the same key already exists.
   */
  async enqueue(db: Kysely<Database> | Transaction<Database>, job: NewJob): Promise<number | null> {
    const now = this.#clock();
    const row = await db
      .insertInto('jobs')
      .values({
        type: job.type,
        payload: JSON.stringify(job.payload ?? {}),
        key: job.key ?? null,
        state: 'pending',
        run_at: job.runAt ?? now,
        max_attempts: job.maxAttempts ?? this.#handlers.get(job.type)?.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        last_error: null,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('key').where('key', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) this.#wake();
    return row?.id ?? null;
  }

  /**
   * Runs every job due at `now` (and those they make due by then), a few at a time, until none is
   * left. The worker's timer calls it; tests call it with a chosen time instead of waiting.
   */
  async runDue(now: Millis = this.#clock()): Promise<RunSummary> {
    // One pass at a time: the timer and a test (or a wake-up) never claim side by side.
    while (this.#running) await this.#running.catch(() => {});
    const pass = this.#runPass(now);
    this.#running = pass;
    try {
      return await pass;
    } finally {
      this.#running = null;
    }
  }

  async #runPass(now: Millis): Promise<RunSummary> {
    const summary: RunSummary = { ran: 0, failed: 0 };
    // A bound on passes: a handler that enqueues work due now without end cannot hold the worker.
    for (let round = 0; round < 1000 && !this.#stopped; round++) {
      const claimed = await this.#claim(now, this.#concurrency);
      if (claimed.length === 0) break;
      const results = await Promise.all(claimed.map((job) => this.#runOne(job, now)));
      summary.ran += results.length;
      summary.failed += results.filter((ok) => !ok).length;
    }
    if (now - this.#lastPurge > 60 * 60 * 1000) {
      this.#lastPurge = now;
      await this.#db.deleteFrom('jobs').where('state', '=', 'done').where('updated_at', '<', now - KEEP_DONE_MS).execute();
    }
    return summary;
  }

  /** Takes due jobs in one statement: pending ones whose time came, and running ones whose lock passed. */
  async #claim(now: Millis, limit: number) {
    const result = await sql<{ id: number; type: string; payload: string; attempts: number; max_attempts: number }>`
      update jobs set state = 'running', attempts = attempts + 1, locked_until = ${now + LOCK_MS}, updated_at = ${now}
      where id in (
        select id from jobs
        where (state = 'pending' and run_at <= ${now}) or (state = 'running' and locked_until <= ${now})
        order by run_at, id
        limit ${limit}
      )
      returning id, type, payload, attempts, max_attempts`.execute(this.#db);
    return result.rows;
  }

  async #runOne(job: { id: number; type: string; payload: string; attempts: number; max_attempts: number }, now: Millis): Promise<boolean> {
    const registered = this.#handlers.get(job.type);
    try {
      if (!registered) throw new Error(`no handler registered for job type "${job.type}"`);
      await registered.handler({ id: job.id, type: job.type, payload: JSON.parse(job.payload) as unknown, attempt: job.attempts, now, db: this.#db });
      if (registered.recurring) {
        await this.#update(job.id, { state: 'pending', run_at: await registered.recurring.next(now), attempts: 0, last_error: null }, now);
      } else {
        await this.#update(job.id, { state: 'done', last_error: null }, now);
      }
      return true;
    } catch (error) {
      const message = describeError(error);
      this.#log.warn({ err: error, jobId: job.id, jobType: job.type, attempt: job.attempts }, 'job failed');
      if (job.attempts < job.max_attempts) {
        const delay = backoffDelay(job.attempts, registered?.options.backoffMs);
        await this.#update(job.id, { state: 'pending', run_at: now + delay, last_error: message }, now);
      } else if (registered?.recurring) {
        // A recurring job never dies: it tries again at its next regular time.
        await this.#update(job.id, { state: 'pending', run_at: await registered.recurring.next(now), attempts: 0, last_error: message }, now);
      } else {
        await this.#update(job.id, { state: 'failed', last_error: message }, now);
      }
      return false;
    }
  }

  async #update(
    id: number,
    values: { state: 'pending' | 'done' | 'failed'; run_at?: Millis; attempts?: number; last_error: string | null },
    now: Millis,
  ): Promise<void> {
    await this.#db
      .updateTable('jobs')
      .set({ ...values, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Puts a failed job back in line, due now, with its attempts counted from zero. Returns false when it is not failed. */
  async retry(id: number): Promise<boolean> {
    const now = this.#clock();
    const result = await this.#db
      .updateTable('jobs')
      .set({ state: 'pending', run_at: now, attempts: 0, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'failed')
      .executeTakeFirst();
    const retried = Number(result.numUpdatedRows) > 0;
    if (retried) this.#wake();
    return retried;
  }

  /** Starts the timer: every few seconds, run what is due. The server starts it once listening. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.#tick(), this.#pollMs);
    this.#timer.unref();
    this.#tick();
  }

  /** Stops the timer and waits for the jobs running now to finish (called when the app closes). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    while (this.#running) await this.#running.catch(() => {});
  }

  #tick(): void {
    if (this.#stopped || this.#running) return;
    this.runDue().catch((error: unknown) => this.#log.error({ err: error }, 'job worker failed'));
  }

  /** A job was added: with the timer on, run it without waiting for the next tick. */
  #wake(): void {
    if (this.#timer) setImmediate(() => this.#tick());
  }

  /** Jobs of the given types in the given states, soonest first (the admin's outbox). */
  async list(types: readonly string[], states: readonly JobState[], limit = 100): Promise<JobRow[]> {
    if (types.length === 0 || states.length === 0) return [];
    const rows = await this.#db
      .selectFrom('jobs')
      .select(['id', 'type', 'payload', 'state', 'run_at', 'attempts', 'max_attempts', 'last_error'])
      .where('type', 'in', types)
      .where('state', 'in', states)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      payload: JSON.parse(r.payload) as unknown,
      state: r.state,
      runAt: r.run_at,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      lastError: r.last_error,
    }));
  }
}

function recurringKey(type: string): string {
  return `recurring:${type}`;
}
