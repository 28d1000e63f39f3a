// The address of a link: only web pages (http: and https:), never javascript:, data:, file: or an
// address hiding a user name and password. What is stored is the URL as the browser would read it.

export type UrlProblem = 'invalid' | 'scheme' | 'credentials';

/**
 * Reads a typed address. "example.org/page" (no scheme) is read as https. Returns the normalised
 * URL and its host (without "www."), or why it is refused.
 *
 * @example
 * checkUrl('https://www.example.org/a b') // { ok: true, url: 'https://www.example.org/a%20b', host: 'example.org' }
 * checkUrl('javascript:alert(1)') // { ok: false, problem: 'scheme' }
 */
export function checkUrl(typed: string): { ok: true; url: string; host: string } | { ok: false; problem: UrlProblem } {
  const text = typed.trim();
  // A scheme given (letters then ":" not followed by a port number): it must be http or https.
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d)/i.exec(text);
  const candidate = scheme ? text : `https://${text}`;
  if (scheme && !/^https?$/i.test(scheme[1]!)) return { ok: false, problem: 'scheme' };
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, problem: 'scheme' };
  if (parsed.username || parsed.password) return { ok: false, problem: 'credentials' };
  // A host with no dot ("https://intranet") is allowed (an internal server); an empty one is not.
  if (!parsed.hostname) return { ok: false, problem: 'invalid' };
  return { ok: true, url: parsed.href, host: displayHost(parsed.hostname) };
}

/** The host as people read it: lowercase, without "www.". */
export function displayHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^www\./, '');
}

/** True for an address safe to put in an href: checked again when drawn, whatever the database holds. */
export function isWebUrl(url: unknown): url is string {
  return typeof url === 'string' && /^https?:\/\//i.test(url);
}
