// Free lists typed as comma-separated text: skills ("Excel, gestion de projet") and languages.
import { sortName } from '../../auth/users.js';

export const MAX_SKILLS = 20;
export const MAX_SKILL_LENGTH = 50;
export const MAX_LANGUAGES = 10;
export const MAX_LANGUAGE_LENGTH = 40;

export type TagsResult = { ok: true; tags: string[] } | { ok: false; problem: 'tooMany' | 'tooLong' };

/**
 * Splits comma-separated text into tags: trimmed, inner white space folded, empty ones and those
 * equal once folded (accents and case aside) dropped, the first spelling kept.
 *
 * @example
 * parseTags('Excel, excel ,  Gestion  de projet,', { max: 20, maxLength: 50 }) // { ok: true, tags: ['Excel', 'Gestion de projet'] }
 */
export function parseTags(text: string, limits: { max: number; maxLength: number }): TagsResult {
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[,;\n]/)) {
    const tag = raw.replace(/\s+/g, ' ').trim();
    if (tag === '') continue;
    if ([...tag].length > limits.maxLength) return { ok: false, problem: 'tooLong' };
    const key = sortName(tag);
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags.length > limits.max ? { ok: false, problem: 'tooMany' } : { ok: true, tags };
}

/** The part of a comma-separated field being typed: what follows the last comma. */
export function lastFragment(text: string): { before: string; fragment: string } {
  const at = Math.max(text.lastIndexOf(','), text.lastIndexOf(';'));
  return { before: at < 0 ? '' : text.slice(0, at + 1), fragment: text.slice(at + 1).trim() };
}
