// The polls part's pure helpers: option lines, date options, mode order, the per-person shuffle, the
// results rule and the privacy rule of a poll.
import { describe, expect, it } from 'vitest';
import { isDateOption, optionLines, readPollForm } from '../polls/form.js';
import type { Poll } from '../polls/kind.js';
import { isClosed, mayChangeMode, maySeeResults, pollRule, shuffledFor } from '../polls/service.js';

const t = (key: string) => key;
const poll = (fields: Partial<Poll> = {}): Poll => ({
  id: 7, question: 'Q', description: '', type: 'single', minChoices: 1, maxChoices: 1, scaleMin: 1, scaleMax: 5, mode: 'public', results: 'always',
  minGroup: null, closesAt: null, closedAt: null, shuffle: false, purpose: 'relevance', purposeOther: '', outcome: null, outcomeHtml: null, options: [], ...fields,
});

describe('poll forms', () => {
  it('reads options one per line, blank lines dropped', () => {
    expect(optionLines(' a \r\n\n b\n')).toEqual(['a', 'b']);
  });
  it('accepts real dates only', () => {
    expect(isDateOption('2026-12-03')).toBe(true);
    expect(isDateOption('2026-12-03 18:30')).toBe(true);
    expect(isDateOption('2026-02-30')).toBe(false);
    expect(isDateOption('2026-12-03 24:00')).toBe(false);
    expect(isDateOption('next Friday')).toBe(false);
  });
  it('reads a closing date in the organisation’s time zone, refusing the past', () => {
    const now = Date.UTC(2026, 5, 1, 12, 0);
    const base = { question: 'Q', type: 'single', options: 'a\nb', mode: 'public', results: 'always', purpose: 'event' };
    const read = readPollForm({ ...base, closesAt: '2026-06-01T15:00' }, t, now, 'Europe/Paris');
    expect(read.ok && read.input.closesAt).toBe(Date.UTC(2026, 5, 1, 13, 0));
    const past = readPollForm({ ...base, closesAt: '2026-06-01T13:30' }, t, now, 'Europe/Paris');
    expect(past.ok ? null : past.errors.closesAt).toBe('plugins.polls.poll.errors.closesAtPast');
  });
});

describe('modes and results', () => {
  it('lets a mode only become more private', () => {
    expect(mayChangeMode('public', 'confidential')).toBe(true);
    expect(mayChangeMode('confidential', 'anonymous')).toBe(true);
    expect(mayChangeMode('public', 'public')).toBe(true);
    expect(mayChangeMode('anonymous', 'confidential')).toBe(false);
    expect(mayChangeMode('confidential', 'public')).toBe(false);
  });
  it('protects confidential and anonymous polls with their own k, public polls not', () => {
    expect(pollRule(poll({ mode: 'anonymous', minGroup: 7 }))).toEqual({ minGroup: 7, protect: true });
    expect(pollRule(poll({ mode: 'confidential', minGroup: 4 }))).toEqual({ minGroup: 4, protect: true });
    expect(pollRule(poll({ mode: 'public' })).protect).toBe(false);
  });
  it('applies the results rule', () => {
    const now = 1_000;
    const viewer = { id: 2 };
    expect(maySeeResults(poll({ results: 'afterVoting' }), viewer, 1, false, now)).toBe(false);
    expect(maySeeResults(poll({ results: 'afterVoting' }), viewer, 1, true, now)).toBe(true);
    expect(maySeeResults(poll({ results: 'afterClosing' }), viewer, 1, true, now)).toBe(false);
    expect(maySeeResults(poll({ results: 'afterClosing', closesAt: 500 }), viewer, 1, false, now)).toBe(true);
    expect(maySeeResults(poll({ results: 'author' }), viewer, 1, true, now)).toBe(false);
    expect(maySeeResults(poll({ results: 'author' }), viewer, 2, false, now)).toBe(true);
    expect(isClosed(poll({ closedAt: 3 }), now)).toBe(true);
  });
});

describe('shuffling', () => {
  it('is stable per person and poll, a permutation, and differs between people', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const a = shuffledFor(items, 1, 7);
    expect(shuffledFor(items, 1, 7)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    const orders = new Set(Array.from({ length: 8 }, (_, user) => shuffledFor(items, user, 7).join()));
    expect(orders.size).toBeGreaterThan(1);
    expect(shuffledFor(items, 1, 8)).not.toEqual(a);
  });
});
