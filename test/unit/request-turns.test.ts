// Requests start one per turn of the event loop, in the order they arrived: a turn never runs more
// than one request, so new connections are accepted and timers fire between two requests.
import { describe, expect, it } from 'vitest';
import { RequestTurns } from '../../src/http/request-context.js';

describe('RequestTurns', () => {
  it('lets requests start in the order they arrived, one per turn', async () => {
    const turns = new RequestTurns();
    const order: string[] = [];
    const first = turns.wait().then(() => order.push('first'));
    const second = turns.wait().then(() => order.push('second'));
    // Queued after the first request's turn: runs before the second request starts.
    const other = new Promise<void>((resolve) => setImmediate(() => resolve(void order.push('other work'))));
    await Promise.all([first, second, other]);
    expect(order).toEqual(['first', 'other work', 'second']);
  });

  it('starts the next request once the queue was empty', async () => {
    const turns = new RequestTurns();
    await turns.wait();
    await turns.wait();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => turns.wait().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
  });
});
