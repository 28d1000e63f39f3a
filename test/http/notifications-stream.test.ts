// The bell's live stream (GET /notifications/stream), over a real listening server and a raw HTTP
// request reading the text/event-stream: the count on connect, a new count when something happens
// (never a count read from a transaction that has not committed), a heartbeat, a cap per person,
// refusals for visitors, the stream's end when the person is deactivated, and app.close() finishing
// with streams open.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { notify } from '../../src/notifications/notify.js';
import { MAX_STREAMS_PER_USER } from '../../src/features/notifications/stream.js';
import { INACTIVITY_TIMEOUT_MS } from '../../src/auth/sessions.js';
import { createCast, deactivate, type Cast, type Who } from '../helpers/conversation.js';
import { postIn } from '../helpers/notify-app.js';

interface Block {
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

interface OpenStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The next block (event, comment or retry line) the server sent. */
  next(): Promise<Block>;
  /** The next `unread` event's count. */
  nextCount(): Promise<number>;
  ended: Promise<void>;
  close(): void;
}

let c: Cast;
let port: number;
let closed = false;
beforeEach(async () => {
  c = await createCast();
  closed = false;
  await c.app.listen({ port: 0, host: '127.0.0.1' });
  port = (c.app.server.address() as AddressInfo).port;
});
afterEach(async () => {
  if (!closed) await c.t.close();
});

function open(who: Who | null, path = '/notifications/stream'): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...(who ? { cookie: c.cookies[who] } : {}) } }, (response) => {
      response.setEncoding('utf8');
      let buffer = '';
      const blocks: Block[] = [];
      const waiting: Array<(block: Block) => void> = [];
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const block: Block = {};
          for (const line of raw.split('\n')) {
            if (line.startsWith(':')) block.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) block.event = line.slice(7);
            else if (line.startsWith('data: ')) block.data = line.slice(6);
            else if (line.startsWith('retry: ')) block.retry = line.slice(7);
          }
          const taker = waiting.shift();
          if (taker) taker(block);
          else blocks.push(block);
        }
      });
      const ended = new Promise<void>((done) => {
        response.on('end', done);
        response.on('close', done);
      });
      const next = () => (blocks.length > 0 ? Promise.resolve(blocks.shift()!) : new Promise<Block>((take) => waiting.push(take)));
      const nextCount = async (): Promise<number> => {
        for (;;) {
          const block = await next();
          if (block.event === 'unread') return (JSON.parse(block.data!) as { count: number }).count;
        }
      };
      resolve({ status: response.statusCode!, headers: response.headers, next, nextCount, ended, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

const mentionMember = (actor: Who = 'editor') => postIn(c, actor, c.company, `@[Bruno Petit](${c.ids.member}) look`);

describe('the live stream', () => {
  it('sends the count on connect, a new count when it changes, and a heartbeat', async () => {
    await mentionMember();
    const stream = await open('member');
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect((await stream.next()).retry).toBe('10000');
    const first = await stream.next();
    expect(first.event).toBe('unread');
    expect(JSON.parse(first.data!)).toEqual({ count: 1, label: 'Notifications, 1 unread' });

    // A colleague mentions Bruno: the new count arrives without asking.
    await mentionMember('admin');
    expect(await stream.nextCount()).toBe(2);
    // Reading everything in another tab: the count drops to nothing.
    await c.post('/notifications/read-all', 'member');
    const zero = await stream.next();
    expect(JSON.parse(zero.data!)).toEqual({ count: 0, label: 'Notifications' });

    c.app.liveBell.beat();
    expect((await stream.next()).comment).toBe('keep-alive');
    stream.close();
    await vi.waitFor(() => expect(c.app.liveBell.size).toBe(0));
  });

  it('never sends a count read before a transaction commits, nor after a rollback', async () => {
    const stream = await open('member');
    expect(await stream.nextCount()).toBe(0);
    const post = await postIn(c, 'editor', c.open, 'Lunch?');
    const now = Date.now() - 1000;
    const mention = { userId: c.ids.member, type: 'mention' as const, actorId: c.ids.editor, contentId: post, createdAt: now };

    // Inserted, then rolled back while the stream's recount waits for the connection.
    await expect(
      c.app.db.transaction().execute(async (trx) => {
        await notify(trx, [mention]);
        for (let i = 0; i < 5; i++) await new Promise((tick) => setImmediate(tick));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // Then committed; then all read.
    await c.app.db.transaction().execute(async (trx) => {
      await notify(trx, [mention]);
      for (let i = 0; i < 5; i++) await new Promise((tick) => setImmediate(tick));
    });
    const counts = [await stream.nextCount()];
    await c.post('/notifications/read-all', 'member');
    counts.push(await stream.nextCount());
    // Had a recount read inside the first transaction, 1 then 0 would have come before.
    expect(counts).toEqual([1, 0]);
    stream.close();
  });

  it('is for signed-in people only, and a person has a few at most', async () => {
    const visitor = await open(null);
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/login/);
    expect(visitor.headers['content-type'] ?? '').not.toContain('text/event-stream');
    const gone = await open('gone');
    expect(gone.status).toBe(303);

    const streams = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) {
      const stream = await open('member');
      expect(await stream.nextCount()).toBe(0);
      streams.push(stream);
    }
    const refused = await open('member');
    expect(refused.status).toBe(429);
    // Someone else still may.
    const other = await open('editor');
    expect(other.status).toBe(200);
    expect(c.app.liveBell.size).toBe(MAX_STREAMS_PER_USER + 1);
    for (const stream of [...streams, other]) stream.close();
    await vi.waitFor(() => expect(c.app.liveBell.size).toBe(0));
    // Closed tabs free their places.
    const again = await open('member');
    expect(again.status).toBe(200);
    again.close();
  });

  it('ends at the next heartbeat once the person is deactivated or signed out', async () => {
    const stream = await open('member');
    expect(await stream.nextCount()).toBe(0);
    await deactivate(c.app, c.ids.member);
    c.app.liveBell.beat();
    await stream.ended;
    const editor = await open('editor');
    expect(await editor.nextCount()).toBe(0);
    expect((await c.post('/logout', 'editor')).statusCode).toBe(303);
    c.app.liveBell.beat();
    await editor.ended;
    await vi.waitFor(() => expect(c.app.liveBell.size).toBe(0));
  });

  it('ends once its session passed the inactivity timeout (an open stream does not renew it)', async () => {
    const stream = await open('admin');
    expect(await stream.nextCount()).toBe(0);
    const other = await open('editor');
    expect(await other.nextCount()).toBe(0);
    await c.app.db.updateTable('sessions').set({ last_verified_at: Date.now() - INACTIVITY_TIMEOUT_MS - 1000 }).where('user_id', '=', c.ids.admin).execute();
    c.app.liveBell.beat();
    await stream.ended;
    // The editor's session is fresh: their stream goes on.
    expect((await other.next()).comment).toBe('keep-alive');
    expect(c.app.liveBell.size).toBe(1);
    other.close();
  });

  it('lets the server close with streams open, ending them', async () => {
    const stream = await open('member');
    expect(await stream.nextCount()).toBe(0);
    const other = await open('editor');
    expect(await other.nextCount()).toBe(0);
    closed = true;
    await c.t.close();
    await stream.ended;
    await other.ended;
  });
});
