// The in-process event bus of live notifications: "the unread notifications of these people may have
// changed". notify() emits after its insert; marking read, withdrawing a reaction's notification and
// the like emit too. Listeners (the bell's server-sent events, src/features/notifications/stream.ts)
// recount through the database.
//
// Why emitting from inside a transaction is still correct: Hameau's SQLite has ONE connection, and
// Kysely's driver lends it to one transaction at a time (a mutex). A listener never reads inside the
// emitter's transaction: it waits a tick (setImmediate) and then queries `app.db`, which blocks until
// the open transaction has committed or rolled back. So a recount always sees committed rows: the new
// notifications after a commit, the old count after a rollback (which the stream then does not send,
// since it only sends a count that changed).
//
// One bus per process, shared by every app built in it (tests build several): a listener receives user
// ids only, and a stray recount for an id of another app costs one query and sends nothing new.

export type NotificationListener = (userIds: ReadonlySet<number>) => void;

export class NotificationEvents {
  readonly #listeners = new Set<NotificationListener>();

  /**
   * Tells the listeners that these people's notifications changed. Never throws, never waits.
   *
   * @example
   * notificationEvents.emitFor([recipientId]);
   */
  emitFor(userIds: Iterable<number>): void {
    const ids = new Set(userIds);
    if (ids.size === 0 || this.#listeners.size === 0) return;
    setImmediate(() => {
      for (const listener of this.#listeners) {
        try {
          listener(ids);
        } catch {
          // A listener's failure is its own business: the others still hear.
        }
      }
    });
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: NotificationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}

export const notificationEvents = new NotificationEvents();
