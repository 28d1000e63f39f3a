// The charter gate: a signed-in person who has not accepted the current usage charter is sent to it
// before anything else. Checked on every request, so its answers are kept in memory: the current
// version's id, and who accepted it (both forgotten when a new version is published).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isPartialRequest } from '../../http/render.js';
import { can, type Viewer } from '../../policy/index.js';
import { acceptedAt } from './queries.js';

/**
 * What the gate remembers. One per running Hameau (several processes would each keep their own:
 * the cache then needs a shared invalidation, like the organisation row's).
 */
export class CharterState {
  /** undefined: not read yet; null: no charter published. */
  #currentId: number | null | undefined = undefined;
  #accepted = new Set<number>();

  constructor(private readonly db: Kysely<Database>) {}

  async currentVersionId(): Promise<number | null> {
    if (this.#currentId === undefined) {
      const row = await this.db.selectFrom('charter_versions').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
      this.#currentId = row?.id ?? null;
    }
    return this.#currentId;
  }

  /** True when there is no charter, or this person accepted its current version. */
  async hasAccepted(userId: number): Promise<boolean> {
    const versionId = await this.currentVersionId();
    if (versionId === null || this.#accepted.has(userId)) return true;
    const accepted = (await acceptedAt(this.db, versionId, userId)) !== null;
    // Only if no version was published while we asked.
    if (accepted && this.#currentId === versionId) this.#accepted.add(userId);
    return accepted;
  }

  /** A new version is in force: everyone must accept it. */
  published(versionId: number): void {
    this.#currentId = versionId;
    this.#accepted.clear();
  }

  accepted(userId: number, versionId: number): void {
    if (this.#currentId === versionId) this.#accepted.add(userId);
  }
}

/** Paths a person who has not accepted the charter may still reach: the charter itself, signing out, their account. */
function isOpen(path: string, user: Viewer): boolean {
  return (
    path === '/charter' ||
    path.startsWith('/charter/') ||
    path === '/logout' ||
    path === '/language' ||
    path === '/healthz' ||
    path === '/favicon.ico' ||
    path.startsWith('/static/') ||
    path === '/account' ||
    path.startsWith('/account/') ||
    // An admin who published a mistake can still mend it.
    (path === '/admin/charter' && can(user, 'charter.manage'))
  );
}

/**
 * The preHandler: lets through whoever may, sends the others to the charter (back to where they
 * were going once accepted, for a page they asked for).
 */
export function charterGate(state: CharterState) {
  return async function gate(request: FastifyRequest, reply: FastifyReply) {
    const user = request.user;
    if (!user) return;
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (isOpen(path, user) || (await state.hasAccepted(user.id))) return;
    // A partial (htmx) request's URL is a fragment, not a page to come back to.
    const next = request.method === 'GET' && !isPartialRequest(request) ? `?next=${encodeURIComponent(request.url)}` : '';
    return reply.redirectTo(`/charter${next}`);
  };
}
