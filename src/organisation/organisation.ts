// The organisation (one row): its name and default language. Read on every request, so cached.
import type { Kysely } from 'kysely';
import type { Database, Organisation } from '../db/schema.js';

/** Reads the organisation row, kept in memory once it exists; whoever writes the row calls forget(). */
export class OrganisationStore {
  #cached: Organisation | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  /** The organisation, or null before first-run setup. */
  async get(): Promise<Organisation | null> {
    if (this.#cached) return this.#cached;
    const row = await this.db.selectFrom('organisation').selectAll().where('id', '=', 1).executeTakeFirst();
    // Only a set-up organisation is cached: before setup every request checks again.
    this.#cached = row ?? null;
    return this.#cached;
  }

  /** Forget the cached row (after setup, which writes the row in its own transaction). */
  forget(): void {
    this.#cached = null;
  }
}
