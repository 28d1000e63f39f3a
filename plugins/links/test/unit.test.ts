// The links plugin's pieces on their own: the address check, and its translations (same keys in
// French and English, French typography).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import definition from '../index.js';
import { checkUrl, isWebUrl } from '../url.js';
import { pluginsDir } from './helpers.js';

describe('checkUrl', () => {
  it('accepts web addresses and normalises them', () => {
    expect(checkUrl('https://www.Example.org/a b')).toEqual({ ok: true, url: 'https://www.example.org/a%20b', host: 'example.org' });
    expect(checkUrl('http://intranet:8080/x')).toEqual({ ok: true, url: 'http://intranet:8080/x', host: 'intranet' });
    expect(checkUrl('example.org/page?q=1')).toEqual({ ok: true, url: 'https://example.org/page?q=1', host: 'example.org' });
    expect(checkUrl('localhost:3000/x')).toMatchObject({ ok: true, url: 'https://localhost:3000/x' });
    expect(checkUrl('https://café.example/')).toMatchObject({ ok: true, host: 'xn--caf-dma.example' });
  });

  it('refuses everything that is not a web page', () => {
    for (const url of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:x', 'file:///etc/passwd', 'mailto:a@example.org', 'ftp://example.org/']) {
      const checked = checkUrl(url);
      expect(checked.ok, url).toBe(false);
    }
    expect(checkUrl('https://a:b@example.org')).toEqual({ ok: false, problem: 'credentials' });
    expect(checkUrl('https://')).toEqual({ ok: false, problem: 'invalid' });
    expect(checkUrl('')).toEqual({ ok: false, problem: 'invalid' });
  });

  it('isWebUrl guards what is drawn', () => {
    expect(isWebUrl('https://example.org')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl(null)).toBe(false);
  });
});

describe('translations', () => {
  const read = (locale: string) => JSON.parse(fs.readFileSync(path.join(pluginsDir, 'links', 'locales', `${locale}.json`), 'utf8')) as Record<string, unknown>;
  const entries = (node: unknown, prefix = ''): Array<[string, string]> =>
    typeof node === 'string'
      ? [[prefix, node]]
      : Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => entries(value, prefix ? `${prefix}.${key}` : key));

  it('French and English have the same keys', () => {
    const plural = /\.(zero|one|other)$/;
    const keys = (locale: string) => [...new Set(entries(read(locale)).map(([key]) => key.replace(plural, '')))].sort();
    expect(keys('fr')).toEqual(keys('en'));
  });

  it('French uses a narrow no-break space before ; : ! ? and typographic apostrophes', () => {
    const french = [...entries(read('fr')).map(([, text]) => text), definition.name.fr, definition.description.fr, definition.staffSees!.fr];
    for (const text of french) {
      expect(text, text).not.toMatch(/'/);
      // Not inside URLs ("https://").
      expect(text.replace(/https?:\/\//g, ''), text).not.toMatch(/[^\u202f][;:!?]/);
      expect(text, text).not.toMatch(/«(?!\u00a0)|(?<!\u00a0)»/);
    }
  });
});
