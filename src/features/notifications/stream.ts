// The bell's live count: server-sent events. Each signed-in tab holds one stream; it receives the
// unread count (grouped as the list groups it) when it connects and whenever it changes, and a
// heartbeat comment every HEARTBEAT_MS so that proxies and browsers keep the connection open (and a
// recount then, for what no event announces).
//
// A change is heard from the in-process bus (src/notifications/live.ts), then recounted through the
// database for each of the person's open streams, one recount at a time per stream (changes arriving
// meanwhile make one more recount, not one each). A recount first checks that the session still
// exists and its person is active: otherwise the stream ends. The server's close ends every stream
// (a preClose hook: Fastify waits for open connections before its onClose hooks run).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Translate } from '../../i18n/index.js';
import { notificationEvents } from '../../notifications/live.js';
import { loadViewer, type Viewer } from '../../policy/viewer.js';
import { countUnread, findSessionUser } from './queries.js';

export const HEARTBEAT_MS = 25_000;
/** Open streams per person: tabs beyond it get a 429 and refresh the count on their next page. */
export const MAX_STREAMS_PER_USER = 5;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 10_000;

interface Stream {
  userId: number;
  sessionId: string;
  viewer: Viewer;
  t: Translate;
  raw: ServerResponse;
  lastSent: number | null;
  running: boolean;
  again: boolean;
  closed: boolean;
}

export class LiveBell {
  readonly #byUser = new Map<number, Set<Stream>>();
  #heartbeat: NodeJS.Timeout | null = null;
  #closing = false;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly app: FastifyInstance,
    private readonly options: { heartbeatMs?: number; maxPerUser?: number } = {},
  ) {
    this.#unsubscribe = notificationEvents.subscribe((ids) => {
      for (const id of ids) for (const stream of this.#byUser.get(id) ?? []) void this.#refresh(stream);
    });
  }

  /** How many streams are open (for tests and the admin's curiosity). */
  get size(): number {
    let total = 0;
    for (const set of this.#byUser.values()) total += set.size;
    return total;
  }

  /**
   * Answers GET /notifications/stream for a signed-in viewer: a 429 beyond the per-person cap, else
   * a text/event-stream that stays open.
   */
  async open(request: FastifyRequest, reply: FastifyReply, viewer: Viewer): Promise<void> {
    const streams = this.#byUser.get(viewer.id) ?? new Set<Stream>();
    if (this.#closing) {
      await reply.code(503).type('text/plain; charset=utf-8').send('');
      return;
    }
    if (streams.size >= (this.options.maxPerUser ?? MAX_STREAMS_PER_USER)) {
      await reply.code(429).header('retry-after', '60').type('text/plain; charset=utf-8').send(request.t('notifications.live.tooMany'));
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx: do not buffer this response (docs/notifications.md lists what proxies need).
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: ${RETRY_MS}\n\n`);
    const stream: Stream = {
      userId: viewer.id,
      sessionId: request.session!.id,
      viewer,
      t: request.t,
      raw,
      lastSent: null,
      running: false,
      again: false,
      closed: false,
    };
    streams.add(stream);
    this.#byUser.set(viewer.id, streams);
    request.raw.on('close', () => this.#remove(stream));
    raw.on('close', () => this.#remove(stream));
    this.#startHeartbeat();
    await this.#refresh(stream);
  }

  /** Ends every stream and stops listening: the server is closing. */
  closeAll(): void {
    this.#closing = true;
    this.#unsubscribe();
    for (const set of this.#byUser.values()) for (const stream of set) this.#end(stream);
    this.#byUser.clear();
    this.#stopHeartbeat();
  }

  async #refresh(stream: Stream): Promise<void> {
    if (stream.closed) return;
    if (stream.running) {
      stream.again = true;
      return;
    }
    stream.running = true;
    try {
      do {
        stream.again = false;
        const viewer = await this.#currentViewer(stream);
        if (stream.closed) return;
        if (!viewer) {
          this.#end(stream);
          return;
        }
        stream.viewer = viewer;
        const count = await countUnread(this.app.db, viewer);
        if (stream.closed) return;
        if (count !== stream.lastSent) {
          stream.lastSent = count;
          const label = count > 0 ? stream.t('notifications.bellUnread', { count }) : stream.t('notifications.bell');
          stream.raw.write(`event: unread\ndata: ${JSON.stringify({ count, label })}\n\n`);
        }
      } while (stream.again && !stream.closed);
    } catch (error) {
      if (!this.#closing) this.app.log.warn({ err: error }, 'live notification count failed');
      this.#end(stream);
    } finally {
      stream.running = false;
    }
  }

  /** The stream's person as the policy sees them now, or null once their session or account ended. */
  async #currentViewer(stream: Stream): Promise<Viewer | null> {
    if (this.#closing) return null;
    const row = await findSessionUser(this.app.db, stream.sessionId);
    if (!row) return null;
    const viewer = await loadViewer(this.app.db, row, null);
    return { ...viewer, organisationPolicy: stream.viewer.organisationPolicy };
  }

  #end(stream: Stream): void {
    if (!stream.closed) {
      stream.closed = true;
      stream.raw.end();
    }
    this.#remove(stream);
  }

  #remove(stream: Stream): void {
    stream.closed = true;
    const set = this.#byUser.get(stream.userId);
    if (set) {
      set.delete(stream);
      if (set.size === 0) this.#byUser.delete(stream.userId);
    }
    if (this.#byUser.size === 0) this.#stopHeartbeat();
  }

  /**
   * Every HEARTBEAT_MS: a comment line on every open stream, then a recount of each (sent only when
   * it changed). The recount catches what no event announces (a scheduled must-read coming out, an
   * item hidden or a space left) and ends the streams of sessions that ended or people deactivated.
   */
  beat(): void {
    for (const set of this.#byUser.values()) {
      for (const stream of set) {
        if (stream.closed) continue;
        stream.raw.write(': keep-alive\n\n');
        void this.#refresh(stream);
      }
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }
}
