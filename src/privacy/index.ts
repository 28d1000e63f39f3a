// The privacy core: the ONE module through which every result about people is read, shown and
// exported (polls, surveys, later well-being and community plugins). It applies the minimum group
// size k (organisation.privacy_min_group, 3..10, default 5) and the difference rule on slices, so
// that no page, fragment or export can show an answer of fewer than k people. See docs/privacy.md.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Translate } from '../i18n/index.js';

/** What a result about people may show. */
export type Shown<T> =
  | { state: 'shown'; respondents: number; value: T }
  | { state: 'tooFew' } // protected and below k: says nothing, not even how many
  | { state: 'none' }; // nobody answered (different from tooFew)

/** A slice hidden by the difference rule (it has k or more people, but showing it would reveal a smaller one). */
export interface Hidden {
  state: 'hidden';
}

/** k and whether the threshold applies (anonymous items: yes; public/confidential polls: no). */
export interface PrivacyRule {
  minGroup: number;
  protect: boolean;
}

export const DEFAULT_MIN_GROUP = 5;
export const MIN_GROUP_RANGE = { min: 3, max: 10 } as const;

/** True when `value` is an allowed k (an integer in MIN_GROUP_RANGE). */
export function isValidMinGroup(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_GROUP_RANGE.min && value <= MIN_GROUP_RANGE.max;
}

/** k brought into the allowed range: a rule can never be weaker than MIN_GROUP_RANGE.min. */
function effectiveMinGroup(rule: PrivacyRule): number {
  if (!Number.isFinite(rule.minGroup)) return DEFAULT_MIN_GROUP;
  return Math.min(MIN_GROUP_RANGE.max, Math.max(MIN_GROUP_RANGE.min, Math.ceil(rule.minGroup)));
}

/** The rule for anonymous items with the given k, and for items whose voters are known anyway. */
export function protectedRule(minGroup: number): PrivacyRule {
  return { minGroup, protect: true };
}
export const UNPROTECTED: PrivacyRule = { minGroup: DEFAULT_MIN_GROUP, protect: false };

/** The organisation's k (organisation.privacy_min_group); the default when the row is missing. */
export async function organisationMinGroup(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('organisation').select('privacy_min_group').where('id', '=', 1).executeTakeFirst();
  return row && isValidMinGroup(row.privacy_min_group) ? row.privacy_min_group : DEFAULT_MIN_GROUP;
}

/**
 * The gate every result goes through: nobody → none; protected and fewer than k → tooFew (which
 * says nothing, not even how many); otherwise the value, built only then.
 */
export function gate<T>(rule: PrivacyRule, respondents: number, build: () => T): Shown<T> {
  if (!Number.isFinite(respondents) || respondents <= 0) return { state: 'none' };
  if (rule.protect && respondents < effectiveMinGroup(rule)) return { state: 'tooFew' };
  return { state: 'shown', respondents, value: build() };
}

function percentOf(count: number, respondents: number): number {
  return respondents > 0 ? (count / respondents) * 100 : 0;
}

/** Counts per option among `respondents` people (multiple choice: counts may sum above respondents). Percent of respondents, rounded for display by the caller. */
export function distribution(
  rule: PrivacyRule,
  respondents: number,
  counts: ReadonlyMap<string, number>,
  options: readonly string[],
): Shown<Array<{ option: string; count: number; percent: number }>> {
  return gate(rule, respondents, () =>
    options.map((option) => {
      const count = counts.get(option) ?? 0;
      return { option, count, percent: percentOf(count, respondents) };
    }),
  );
}

/** Average and distribution of numeric answers (scales, 0-10). Values outside the scale are ignored. */
export function average(
  rule: PrivacyRule,
  values: readonly number[],
  scale: { min: number; max: number },
): Shown<{ mean: number; count: number; distribution: Array<{ value: number; count: number; percent: number }> }> {
  const kept = values.filter((v) => Number.isFinite(v) && v >= scale.min && v <= scale.max);
  return gate(rule, kept.length, () => {
    const counts = new Map<number, number>();
    for (const v of kept) counts.set(Math.round(v), (counts.get(Math.round(v)) ?? 0) + 1);
    const steps: Array<{ value: number; count: number; percent: number }> = [];
    for (let value = Math.ceil(scale.min); value <= Math.floor(scale.max); value++) {
      const count = counts.get(value) ?? 0;
      steps.push({ value, count, percent: percentOf(count, kept.length) });
    }
    const mean = kept.reduce((sum, v) => sum + v, 0) / kept.length;
    return { mean, count: kept.length, distribution: steps };
  });
}

/**
 * Net promoter style (0-10 recommendation): promoters (9-10), passives (7-8), detractors (0-6),
 * and the score, percent of promoters minus percent of detractors, rounded to an integer (-100..100).
 */
export function recommendation(
  rule: PrivacyRule,
  values: readonly number[],
): Shown<{ promoters: number; passives: number; detractors: number; score: number }> {
  const kept = values.filter((v) => Number.isInteger(v) && v >= 0 && v <= 10);
  return gate(rule, kept.length, () => {
    const promoters = kept.filter((v) => v >= 9).length;
    const passives = kept.filter((v) => v === 7 || v === 8).length;
    const detractors = kept.length - promoters - passives;
    const score = Math.round(((promoters - detractors) / kept.length) * 100);
    return { promoters, passives, detractors, score: score === 0 ? 0 : score };
  });
}

/**
 * Free texts, in random order (`random` injectable for tests), never with their time. Blank texts
 * are dropped; k applies to the number of texts given.
 */
export function freeTexts(rule: PrivacyRule, texts: readonly string[], random: () => number = Math.random): Shown<string[]> {
  const kept = texts.map((text) => text.trim()).filter((text) => text !== '');
  return gate(rule, kept.length, () => shuffle(kept, random));
}

/** Fisher-Yates on a copy. */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Results by slice (department, site): a slice below k hidden, and more hidden while what is
 * hidden could be computed by difference from the total (one hidden slice alone, or hidden slices
 * totalling fewer than k).
 *
 * When protected: a slice below k (0 included, so that which slices are empty says nothing either)
 * is `tooFew`; then, while exactly one non-empty slice is hidden or the hidden slices total fewer
 * than k people, the smallest shown slice is also hidden (`hidden`). Unprotected: every slice
 * is shown (`none` when empty). `total` is the number of respondents of the whole item: when it is
 * below k, every slice is `tooFew`.
 */
export function slices<T>(
  rule: PrivacyRule,
  total: number,
  groups: ReadonlyArray<{ key: string; label: string; respondents: number; value: T }>,
): Array<{ key: string; label: string; result: Shown<T> | Hidden }> {
  if (!rule.protect) {
    return groups.map((g) => ({ key: g.key, label: g.label, result: gate(rule, g.respondents, () => g.value) }));
  }
  const k = effectiveMinGroup(rule);
  if (!(total >= k)) return groups.map((g) => ({ key: g.key, label: g.label, result: { state: 'tooFew' } }));
  const tooFew = new Set<number>();
  const hidden = new Set<number>();
  groups.forEach((g, i) => {
    if (!(g.respondents >= k)) tooFew.add(i);
  });
  const isHidden = (i: number) => tooFew.has(i) || hidden.has(i);
  const people = (i: number) => Math.max(0, groups[i]?.respondents ?? 0);
  for (;;) {
    const hiddenNonEmpty = groups.map((_, i) => i).filter((i) => isHidden(i) && people(i) > 0);
    const hiddenTotal = hiddenNonEmpty.reduce((sum, i) => sum + people(i), 0);
    if (hiddenNonEmpty.length === 0 || (hiddenNonEmpty.length >= 2 && hiddenTotal >= k)) break;
    // Hide the smallest shown slice (the first in order on a tie).
    let pick = -1;
    groups.forEach((_, i) => {
      if (!isHidden(i) && people(i) > 0 && (pick < 0 || people(i) < people(pick))) pick = i;
    });
    if (pick < 0) break; // Everything with people in it is hidden already.
    hidden.add(pick);
  }
  return groups.map((g, i) => ({
    key: g.key,
    label: g.label,
    result: tooFew.has(i)
      ? { state: 'tooFew' as const }
      : hidden.has(i)
        ? { state: 'hidden' as const }
        : { state: 'shown' as const, respondents: g.respondents, value: g.value },
  }));
}

/** The day (YYYY-MM-DD in the organisation's time zone) an anonymous answer is stored with: never finer. */
export function answerDay(millis: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    new Date(millis),
  );
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export { resultsCsv } from './csv.js';
export type { Translate };
