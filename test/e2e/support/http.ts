// Preparing what a journey needs but is not about (a busy week of posts), through HTTP as the
// signed-in person: page.request shares the browser's cookies. Hameau refuses a POST that may come
// from another site, so each one says, as a browser form would, that it comes from Hameau's own origin.
import type { Page } from 'playwright-core';

/**
 * Sends a form as the person signed in on `page` would, with a plain POST (the way it works without
 * JavaScript), and returns where Hameau redirects them. Throws unless Hameau answers with a redirect
 * (303: done), so a refused form never goes unnoticed.
 *
 * @example
 * await sendForm(page, '/posts', { space: '2', body: 'Hello' });
 */
export async function sendForm(page: Page, path: string, fields: Record<string, string>): Promise<string> {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post(`${origin}${path}`, {
    form: fields,
    headers: { Origin: origin },
    maxRedirects: 0,
  });
  const location = response.headers()['location'];
  if (response.status() !== 303 || !location) {
    throw new Error(`POST ${path} answered ${response.status()} instead of a redirect:\n${(await response.text()).slice(0, 2_000)}`);
  }
  return location;
}
