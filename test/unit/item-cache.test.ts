// The item cache's own rules: least recently used dropped first, a count and a size bound, nothing
// stored by a load that an invalidation overtook, and shared objects frozen.
import { describe, expect, it } from 'vitest';
import { deepFreeze, estimateBytes, ItemCache, type SharedItem } from '../../src/content/item-cache.js';

function item(id: number, text = ''): SharedItem {
  return {
    id,
    kind: 'post',
    subject: {
      id,
      kind: 'post',
      authorId: 1,
      space: { id: 1, visibility: 'company' },
      publishedAt: 1,
      deletedAt: null,
      hiddenAt: null,
      mustRead: false,
      commentsEnabled: true,
      kindOff: false,
    },
    author: { id: 1, name: 'Alice', active: true },
    space: { id: 1, name: 'Acme', visibility: 'company' },
    createdAt: 1,
    publishedAt: 1,
    editedAt: null,
    pinnedUntil: null,
    hiddenReason: null,
    commentCount: 0,
    reactionCounts: [],
    attachments: [],
    topics: [],
    data: { value: { body: text, bodyHtml: `<p>${text}</p>`, summary: text } },
  };
}

describe('ItemCache', () => {
  it('drops the least recently used item past its count', () => {
    const cache = new ItemCache({ items: 2, bytes: 1_000_000 });
    cache.store(cache.generation, [item(1), item(2)]);
    expect(cache.get(1)?.id).toBe(1); // 1 is now the most recently used
    cache.store(cache.generation, [item(3)]);
    expect(cache.size).toBe(2);
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(1)?.id).toBe(1);
    expect(cache.get(3)?.id).toBe(3);
  });

  it('drops the least recently used items past its size, and never keeps an item larger than the whole budget', () => {
    const small = estimateBytes(item(1, 'x'.repeat(100)));
    const cache = new ItemCache({ items: 1_000, bytes: small * 3 + 10 });
    cache.store(cache.generation, [1, 2, 3, 4, 5].map((id) => item(id, 'x'.repeat(100))));
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(small * 3 + 10);
    expect([1, 2, 3, 4, 5].map((id) => cache.get(id) !== undefined)).toEqual([false, false, true, true, true]);

    cache.store(cache.generation, [item(6, 'x'.repeat(10_000))]);
    expect(cache.get(6)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('counts an item’s strings: a long body weighs more than a short one', () => {
    expect(estimateBytes(item(1, 'x'.repeat(10_000))) - estimateBytes(item(1, ''))).toBeGreaterThanOrEqual(3 * 2 * 10_000 - 100);
  });

  it('replaces an item stored again without counting it twice', () => {
    const cache = new ItemCache({ items: 10, bytes: 1_000_000 });
    cache.store(cache.generation, [item(1, 'a')]);
    const bytes = cache.bytes;
    cache.store(cache.generation, [item(1, 'b')]);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(bytes);
    expect((cache.get(1)!.data!.value as { body: string }).body).toBe('b');
  });

  it('stores nothing read before an invalidation, of any item', () => {
    const cache = new ItemCache();
    const generation = cache.generation;
    cache.invalidate([99]);
    expect(cache.store(generation, [item(1)])).toBe(false);
    expect(cache.get(1)).toBeUndefined();

    const later = cache.generation;
    cache.clear();
    expect(cache.store(later, [item(1)])).toBe(false);
    expect(cache.store(cache.generation, [item(1)])).toBe(true);
    expect(cache.get(1)).toBeDefined();
  });

  it('forgets the items named, ignoring NULL columns, and everything on clear', () => {
    const cache = new ItemCache();
    cache.store(cache.generation, [item(1), item(2), item(3)]);
    cache.invalidate([null, 2, BigInt(3)]);
    expect([1, 2, 3].map((id) => cache.get(id) !== undefined)).toEqual([true, false, false]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('hands out what it keeps frozen, all the way down', () => {
    const cache = new ItemCache();
    cache.store(cache.generation, [item(1)]);
    const kept = cache.get(1)!;
    expect(Object.isFrozen(kept)).toBe(true);
    expect(Object.isFrozen(kept.subject.space)).toBe(true);
    expect(Object.isFrozen(kept.data!.value)).toBe(true);
    expect(() => {
      (kept.author as { name: string }).name = 'Mallory';
    }).toThrow(TypeError);
  });

  it('keeps no item whose kind data cannot be frozen (a Buffer), and keeps the others', () => {
    const cache = new ItemCache();
    const binary = { ...item(1), data: { value: { blob: Buffer.from('raw') } } };
    expect(cache.store(cache.generation, [binary, item(2)])).toBe(true);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(2)).toBeDefined();
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns its argument', () => {
    const value = { a: [{ b: 1 }], c: { d: 'e' } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen(value.c)).toBe(true);
  });
});
