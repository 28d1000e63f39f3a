// The live bus of notifications (src/notifications/live.ts): listeners hear the people concerned, once
// each, never synchronously from inside the emitter (which may be in a transaction), and one failing
// listener does not silence the others.
import { describe, expect, it } from 'vitest';
import { NotificationEvents } from '../../src/notifications/live.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('NotificationEvents', () => {
  it('tells each listener the people concerned, once each, after the emitter has moved on', async () => {
    const bus = new NotificationEvents();
    const heard: number[][] = [];
    bus.subscribe((ids) => heard.push([...ids]));
    bus.emitFor([3, 1, 3]);
    expect(heard).toEqual([]);
    await tick();
    expect(heard).toEqual([[3, 1]]);
  });

  it('ignores an empty list, survives a failing listener, and forgets those who unsubscribe', async () => {
    const bus = new NotificationEvents();
    const heard: number[] = [];
    bus.subscribe(() => {
      throw new Error('broken');
    });
    const stop = bus.subscribe((ids) => heard.push(...ids));
    expect(bus.listenerCount).toBe(2);
    bus.emitFor([]);
    bus.emitFor([7]);
    await tick();
    expect(heard).toEqual([7]);
    stop();
    bus.emitFor([8]);
    await tick();
    expect(heard).toEqual([7]);
    expect(bus.listenerCount).toBe(1);
  });
});
