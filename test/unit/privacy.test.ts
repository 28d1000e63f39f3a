// The privacy core (src/privacy): every result about people goes through these functions, so each
// one is checked at the threshold: below k it says nothing (not even how many), at k it shows,
// "nobody answered" stays different from "too few", and unprotected items show any count.
import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/index.js';
import {
  answerDay,
  average,
  DEFAULT_MIN_GROUP,
  distribution,
  freeTexts,
  gate,
  isValidMinGroup,
  MIN_GROUP_RANGE,
  recommendation,
  resultsCsv,
  shuffle,
  slices,
  type PrivacyRule,
} from '../../src/privacy/index.js';

const K5: PrivacyRule = { minGroup: 5, protect: true };
const K3: PrivacyRule = { minGroup: 3, protect: true };
const OPEN: PrivacyRule = { minGroup: 5, protect: false };

describe('constants and the gate', () => {
  it('defaults to 5 within 3..10', () => {
    expect(DEFAULT_MIN_GROUP).toBe(5);
    expect(MIN_GROUP_RANGE).toEqual({ min: 3, max: 10 });
    expect([3, 5, 10].every(isValidMinGroup)).toBe(true);
    expect([2, 11, 4.5, NaN, '5', null].some(isValidMinGroup)).toBe(false);
  });

  it('never applies a k below 3, whatever a caller passes', () => {
    const weak: PrivacyRule = { minGroup: 1, protect: true };
    expect(gate(weak, 2, () => 'x')).toEqual({ state: 'tooFew' });
    expect(gate(weak, 3, () => 'x')).toEqual({ state: 'shown', respondents: 3, value: 'x' });
    expect(gate({ minGroup: NaN, protect: true }, 4, () => 'x')).toEqual({ state: 'tooFew' });
  });

  it('does not build the value when it may not be shown', () => {
    let built = 0;
    gate(K5, 4, () => built++);
    gate(K5, 0, () => built++);
    expect(built).toBe(0);
  });
});

describe('distribution', () => {
  const options = ['a', 'b', 'c'];
  it('says nothing below k, not even how many', () => {
    const result = distribution(K5, 4, new Map([['a', 3], ['b', 1]]), options);
    expect(result).toEqual({ state: 'tooFew' });
    expect(JSON.stringify(result)).not.toMatch(/\d/);
  });

  it('shows at k, with every option in order (0 for those nobody chose) and percent of respondents', () => {
    const result = distribution(K5, 5, new Map([['b', 2], ['a', 3], ['unknown', 9]]), options);
    expect(result).toEqual({
      state: 'shown',
      respondents: 5,
      value: [
        { option: 'a', count: 3, percent: 60 },
        { option: 'b', count: 2, percent: 40 },
        { option: 'c', count: 0, percent: 0 },
      ],
    });
  });

  it('keeps percentages of respondents for multiple choice (they may sum above 100) and leaves rounding to the caller', () => {
    const result = distribution(K3, 3, new Map([['a', 3], ['b', 2], ['c', 1]]), options);
    expect(result.state === 'shown' && result.value.map((o) => o.percent)).toEqual([100, (2 / 3) * 100, (1 / 3) * 100]);
  });

  it('tells "nobody answered" apart from "too few"', () => {
    expect(distribution(K5, 0, new Map(), options)).toEqual({ state: 'none' });
    expect(distribution(OPEN, 0, new Map(), options)).toEqual({ state: 'none' });
    expect(distribution(K5, 1, new Map([['a', 1]]), options)).toEqual({ state: 'tooFew' });
  });

  it('shows any count when the item is not protected (public polls, identified surveys)', () => {
    expect(distribution(OPEN, 1, new Map([['c', 1]]), options)).toMatchObject({ state: 'shown', respondents: 1, value: [{ count: 0 }, { count: 0 }, { count: 1, percent: 100 }] });
  });

  it('follows the k it is given', () => {
    const counts = new Map([['a', 7]]);
    expect(distribution({ minGroup: 8, protect: true }, 7, counts, options).state).toBe('tooFew');
    expect(distribution({ minGroup: 7, protect: true }, 7, counts, options).state).toBe('shown');
  });
});

describe('average', () => {
  it('is tooFew below k, shown at k with mean and distribution over the whole scale', () => {
    expect(average(K5, [1, 2, 3, 4], { min: 1, max: 5 })).toEqual({ state: 'tooFew' });
    const result = average(K5, [1, 2, 2, 5, 5], { min: 1, max: 5 });
    expect(result).toEqual({
      state: 'shown',
      respondents: 5,
      value: {
        mean: 3,
        count: 5,
        distribution: [
          { value: 1, count: 1, percent: 20 },
          { value: 2, count: 2, percent: 40 },
          { value: 3, count: 0, percent: 0 },
          { value: 4, count: 0, percent: 0 },
          { value: 5, count: 2, percent: 40 },
        ],
      },
    });
  });

  it('ignores values outside the scale, so that they cannot push a group over k', () => {
    expect(average(K5, [0, 10, 11, -1, 3, 99, 4], { min: 0, max: 10 }).state).toBe('tooFew');
    expect(average(K5, [0, 10, 11, -1, 3, 99, 4, 5], { min: 0, max: 10 }).state).toBe('shown');
    const result = average(K3, [0, 10, 11, -1, NaN, 4], { min: 0, max: 10 });
    expect(result.state === 'shown' && result.value).toMatchObject({ mean: 14 / 3, count: 3 });
    expect(result.state === 'shown' && result.value.distribution).toHaveLength(11);
  });

  it('none without values, any count when unprotected', () => {
    expect(average(K5, [], { min: 1, max: 5 })).toEqual({ state: 'none' });
    expect(average(OPEN, [4], { min: 1, max: 5 })).toMatchObject({ state: 'shown', respondents: 1, value: { mean: 4 } });
  });
});

describe('recommendation', () => {
  it('counts promoters (9-10), passives (7-8), detractors (0-6) and the score', () => {
    const result = recommendation(K5, [10, 9, 8, 7, 6, 0, 10, 3]);
    expect(result).toEqual({ state: 'shown', respondents: 8, value: { promoters: 3, passives: 2, detractors: 3, score: 0 } });
    expect(recommendation(K5, [10, 10, 10, 9, 5])).toMatchObject({ value: { score: 60 } });
    expect(recommendation(K5, [0, 1, 2, 3, 4])).toMatchObject({ value: { score: -100 } });
    // 2 promoters, 1 detractor out of 6: 33.3 % − 16.7 % = 16.7 → 17.
    expect(recommendation(K5, [9, 9, 0, 7, 7, 8])).toMatchObject({ value: { promoters: 2, passives: 3, detractors: 1, score: 17 } });
    expect(recommendation(K3, [9, 0, 7])).toMatchObject({ value: { score: 0 } });
    expect(recommendation(K3, [9, 9, 0])).toMatchObject({ value: { score: 33 } });
  });

  it('is tooFew below k, none when empty, ignores values outside 0..10', () => {
    expect(recommendation(K5, [10, 10, 10, 10])).toEqual({ state: 'tooFew' });
    expect(recommendation(K5, [10, 10, 10, 10, 11, -1, 5.5])).toEqual({ state: 'tooFew' });
    expect(recommendation(K5, [])).toEqual({ state: 'none' });
    expect(recommendation(OPEN, [3])).toMatchObject({ state: 'shown', value: { detractors: 1, score: -100 } });
  });
});

describe('free texts', () => {
  const texts = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];

  it('comes back shuffled with the injected random, and only the texts (no time, no other field)', () => {
    const result = freeTexts(K5, texts, () => 0);
    // Fisher-Yates with random() = 0 moves every item once: the input order is not kept.
    expect(result).toEqual({ state: 'shown', respondents: 6, value: ['second', 'third', 'fourth', 'fifth', 'sixth', 'first'] });
    expect(result.state === 'shown' && result.value.every((v) => typeof v === 'string')).toBe(true);
    expect(result.state === 'shown' && [...result.value].sort()).toEqual([...texts].sort());
  });

  it('is a different order for a different random, never the submission order with Math.random over many tries', () => {
    const orders = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const r = freeTexts(K5, texts);
      if (r.state === 'shown') orders.add(r.value.join('|'));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('drops blank texts, which count for nothing towards k', () => {
    expect(freeTexts(K5, ['a', 'b', 'c', 'd', '  ', ''])).toEqual({ state: 'tooFew' });
    expect(freeTexts(K5, ['', ' '])).toEqual({ state: 'none' });
    expect(freeTexts(OPEN, [' only '])).toEqual({ state: 'shown', respondents: 1, value: ['only'] });
  });

  it('does not change the caller’s array', () => {
    const input = [...texts];
    shuffle(input, () => 0);
    freeTexts(K5, input, () => 0);
    expect(input).toEqual(texts);
  });
});

type Group = { key: string; label: string; respondents: number; value: string };
const g = (key: string, respondents: number): Group => ({ key, label: key.toUpperCase(), respondents, value: `v-${key}` });
const states = (result: ReturnType<typeof slices<string>>) => Object.fromEntries(result.map((s) => [s.key, s.result.state]));

/** The number of people in hidden slices, when the total and the shown slices are known. */
function byDifference(total: number, result: ReturnType<typeof slices<string>>, groups: Group[]) {
  const shown = result.filter((s) => s.result.state === 'shown').reduce((sum, s) => sum + groups.find((x) => x.key === s.key)!.respondents, 0);
  return total - shown;
}

describe('slices and the difference rule', () => {
  it('shows every slice of k or more when none is below k', () => {
    const groups = [g('a', 5), g('b', 7), g('c', 12)];
    const result = slices(K5, 24, groups);
    expect(states(result)).toEqual({ a: 'shown', b: 'shown', c: 'shown' });
    expect(result[0]).toEqual({ key: 'a', label: 'A', result: { state: 'shown', respondents: 5, value: 'v-a' } });
  });

  it('one hidden slice alone: the smallest other slice is hidden too (total minus the others would give it)', () => {
    const groups = [g('a', 2), g('b', 9), g('c', 6), g('d', 20)];
    const result = slices(K5, 37, groups);
    expect(states(result)).toEqual({ a: 'tooFew', b: 'shown', c: 'hidden', d: 'shown' });
    // What can be computed by difference is a group of k or more, mixing two slices.
    expect(byDifference(37, result, groups)).toBeGreaterThanOrEqual(5);
  });

  it('two hidden slices totalling fewer than k: one more is hidden', () => {
    const groups = [g('a', 1), g('b', 2), g('c', 5), g('d', 8)];
    const result = slices(K5, 16, groups);
    expect(states(result)).toEqual({ a: 'tooFew', b: 'tooFew', c: 'hidden', d: 'shown' });
    expect(byDifference(16, result, groups)).toBe(8);
  });

  it('two hidden slices totalling k or more: nothing more is hidden', () => {
    const groups = [g('a', 3), g('b', 4), g('c', 10)];
    expect(states(slices(K5, 17, groups))).toEqual({ a: 'tooFew', b: 'tooFew', c: 'shown' });
  });

  it('hides the smallest shown slice first, the first in order on a tie', () => {
    expect(states(slices(K5, 30, [g('a', 10), g('b', 6), g('c', 6), g('d', 4), g('e', 4 + 0)]))).toEqual({
      a: 'shown',
      b: 'shown',
      c: 'shown',
      d: 'tooFew',
      e: 'tooFew',
    });
    expect(states(slices(K5, 26, [g('a', 10), g('b', 6), g('c', 6), g('d', 4)]))).toEqual({ a: 'shown', b: 'hidden', c: 'shown', d: 'tooFew' });
  });

  it('keeps hiding while the hidden total stays below k', () => {
    // k = 10: a (2) alone → hide b (3): 5 < 10 → hide c (4): 9 < 10 → hide d (12): 21.
    const groups = [g('a', 2), g('b', 3), g('c', 4), g('d', 12), g('e', 30)];
    const result = slices({ minGroup: 10, protect: true }, 51, groups);
    expect(states(result)).toEqual({ a: 'tooFew', b: 'tooFew', c: 'tooFew', d: 'hidden', e: 'shown' });
    expect(byDifference(51, result, groups)).toBeGreaterThanOrEqual(10);
  });

  it('with two slices and one below k, both are hidden', () => {
    expect(states(slices(K5, 9, [g('a', 1), g('b', 8)]))).toEqual({ a: 'tooFew', b: 'hidden' });
  });

  it('an empty slice is tooFew (which slices nobody answered in says nothing) and does not count as hiding anyone', () => {
    const result = slices(K5, 18, [g('a', 0), g('b', 2), g('c', 16)]);
    expect(states(result)).toEqual({ a: 'tooFew', b: 'tooFew', c: 'hidden' });
  });

  it('nothing below k: empty slices hide nothing and nothing else is hidden', () => {
    expect(states(slices(K5, 12, [g('a', 0), g('b', 12)]))).toEqual({ a: 'tooFew', b: 'shown' });
  });

  it('a total below k hides every slice', () => {
    expect(states(slices(K5, 4, [g('a', 4), g('b', 0)]))).toEqual({ a: 'tooFew', b: 'tooFew' });
  });

  it('for every combination of small slices, what the total minus the shown slices gives is 0 or at least k, from two slices or more', () => {
    const sizes = [0, 1, 2, 3, 4, 5, 6, 9];
    for (const a of sizes) for (const b of sizes) for (const c of sizes) for (const d of sizes) {
      const groups = [g('a', a), g('b', b), g('c', c), g('d', d)];
      const total = a + b + c + d;
      const result = slices(K5, total, groups);
      if (total < 5) continue;
      const hiddenPeople = byDifference(total, result, groups);
      const hiddenNonEmpty = result.filter((s) => s.result.state !== 'shown' && groups.find((x) => x.key === s.key)!.respondents > 0).length;
      expect(hiddenPeople === 0 || (hiddenPeople >= 5 && hiddenNonEmpty >= 2), `${a},${b},${c},${d}`).toBe(true);
      // No slice below k is ever shown.
      for (const s of result) if (s.result.state === 'shown') expect(s.result.respondents).toBeGreaterThanOrEqual(5);
    }
  });

  it('shows every slice when the item is not protected', () => {
    expect(states(slices(OPEN, 3, [g('a', 1), g('b', 2), g('c', 0)]))).toEqual({ a: 'shown', b: 'shown', c: 'none' });
  });
});

describe('answerDay', () => {
  it('is the day in the organisation’s time zone, across midnight in Paris (winter and summer time)', () => {
    // 23:30 UTC on 14 January is 00:30 on the 15th in Paris (UTC+1).
    expect(answerDay(Date.UTC(2026, 0, 14, 23, 30), 'Europe/Paris')).toBe('2026-01-15');
    expect(answerDay(Date.UTC(2026, 0, 14, 22, 59, 59), 'Europe/Paris')).toBe('2026-01-14');
    expect(answerDay(Date.UTC(2026, 0, 14, 23, 0), 'Europe/Paris')).toBe('2026-01-15');
    // Summer: UTC+2.
    expect(answerDay(Date.UTC(2026, 6, 31, 21, 59), 'Europe/Paris')).toBe('2026-07-31');
    expect(answerDay(Date.UTC(2026, 6, 31, 22, 0), 'Europe/Paris')).toBe('2026-08-01');
    expect(answerDay(Date.UTC(2026, 11, 31, 23, 30), 'Europe/Paris')).toBe('2027-01-01');
    expect(answerDay(Date.UTC(2026, 0, 15, 3, 0), 'America/Toronto')).toBe('2026-01-14');
  });

  it('keeps nothing finer than the day', () => {
    expect(answerDay(Date.UTC(2026, 2, 3, 8, 41, 17, 123), 'UTC')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('resultsCsv', () => {
  const en = translator('en');
  const fr = translator('fr');
  const parse = (csv: string) =>
    csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');

  it('writes shown results by shape, and below k only "too few", never a count', () => {
    const csv = resultsCsv(
      [
        { question: 'Colour?', label: '', result: distribution(K5, 5, new Map([['red', 3], ['blue', 2]]), ['red', 'blue']) },
        { question: 'Colour?', label: 'Sales', result: distribution(K5, 4, new Map([['red', 4]]), ['red', 'blue']) },
        { question: 'Mood', label: '', result: average(K5, [1, 2, 3, 4, 4], { min: 1, max: 5 }) },
        { question: 'Recommend', label: '', result: recommendation(K5, [10, 9, 3, 2, 1]) },
        { question: 'Ideas', label: '', result: freeTexts(K5, ['a', 'b', 'c', 'd', 'e'], () => 0.5) },
        { question: 'Empty', label: '', result: { state: 'none' } },
        { question: 'Colour?', label: 'Support', result: { state: 'hidden' } },
      ],
      en,
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = parse(csv);
    expect(lines[0]).toBe('"Question","Group","Respondents","Answer","Count","Percent","Value"');
    expect(lines).toContain('"Colour?","","5","red","3","60",""');
    expect(lines).toContain('"Colour?","","5","blue","2","40",""');
    expect(lines).toContain('"Colour?","Sales","","","","","Too few answers to show results without identifying people"');
    expect(lines.filter((l) => l.includes('"Sales"'))).toHaveLength(1);
    expect(lines).toContain('"Mood","","5","Average","","","2.8"');
    expect(lines).toContain('"Mood","","5","4","2","40",""');
    expect(lines).toContain('"Recommend","","5","Promoters (9-10)","2","40",""');
    expect(lines).toContain('"Recommend","","5","Recommendation score","","","-20"');
    expect(lines.filter((l) => l.startsWith('"Ideas"'))).toHaveLength(5);
    expect(lines).toContain('"Empty","","","","","","No answers yet"');
    expect(lines).toContain('"Colour?","Support","","","","","Hidden so that small groups cannot be worked out by difference"');
  });

  it('escapes quotes, commas and line breaks, and makes formulas inert', () => {
    const csv = resultsCsv(
      [{ question: 'Say "hi", ok?\nline 2', label: '=HYPERLINK("x")', result: freeTexts(OPEN, ['+cmd|calc', '@SUM(A1)', '-2+3', 'plain, "quoted"']) }],
      en,
    );
    expect(csv).toContain('"Say ""hi"", ok?\nline 2","\'=HYPERLINK(""x"")"');
    expect(csv).toContain('"\'+cmd|calc"');
    expect(csv).toContain('"\'@SUM(A1)"');
    expect(csv).toContain('"\'-2+3"');
    expect(csv).toContain('"plain, ""quoted"""');
  });

  it('speaks the reader’s language', () => {
    const lines = parse(resultsCsv([{ question: 'Q', label: '', result: { state: 'tooFew' } }], fr));
    expect(lines[0]).toBe('"Question","Groupe","Répondants","Réponse","Nombre","Pourcentage","Valeur"');
    expect(lines[1]).toContain('Trop peu de réponses');
  });
});
