// Reading search results as a person sees them: the results page's links and highlighted text, the
// suggestions fragment, grouped by kind.
import type { LightMyRequestResponse } from 'fastify';
import { html } from './app.js';

export interface ShownResult {
  kind: string;
  href: string;
  /** The title as text (highlight marks removed). */
  title: string;
  snippet: string;
  /** The raw HTML of the title and snippet: what escaping and <mark> look like. */
  html: string;
}

/** The results listed on a /search page, in page order, with their kind. */
export function results(response: LightMyRequestResponse): ShownResult[] {
  return html(response)
    .querySelectorAll('.search-hit')
    .map((li) => ({
      kind: (li.getAttribute('class') ?? '').split(' ').find((c) => c.startsWith('search-hit--'))?.slice('search-hit--'.length) ?? '',
      href: li.querySelector('.search-hit__title')?.getAttribute('href') ?? '',
      title: li.querySelector('.search-hit__title')?.text.trim() ?? '',
      snippet: li.querySelector('.search-hit__snippet')?.text.trim() ?? '',
      html: li.innerHTML,
    }));
}

/** The hrefs of the results (or suggestions) shown. */
export function hrefs(response: LightMyRequestResponse): string[] {
  const root = html(response);
  const hits = root.querySelectorAll('.search-hit__title');
  if (hits.length > 0) return hits.map((a) => a.getAttribute('href') ?? '');
  return root.querySelectorAll('.search-suggest__list a').map((a) => a.getAttribute('href') ?? '');
}

/** The kinds navigation's entries: "Posts (3 results)". */
export function kindCounts(response: LightMyRequestResponse): string[] {
  return html(response).querySelectorAll('.search-kinds a').map((a) => a.text.replace(/\s+/g, ' ').trim());
}

export const searchUrl = (q: string, params: Record<string, string> = {}) => `/search?${new URLSearchParams({ q, ...params }).toString()}`;
