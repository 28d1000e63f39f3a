// Where a "next" parameter may send the user: only to a path on this site.

export function safeNextPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  // "//host" and "/\host" are read by browsers as another site.
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // Browsers drop tabs and newlines from URLs ("/\t/host" becomes "//host"), and a Location header
  // cannot hold them nor non-ASCII text; paths we hand out are percent-encoded, so printable ASCII only.
  if (/[^\u0020-\u007e]/.test(next)) return fallback;
  return next;
}
