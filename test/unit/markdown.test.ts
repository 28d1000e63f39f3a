// Markdown typed by people: rendered to HTML that cannot carry script, with mentions and topics
// linked and collected. Uses a real database for the mention lookups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { SUMMARY_LENGTH, excerpt, plainText, renderMarkdown, topicSlug } from '../../src/content/markdown.js';
import { createTestApp, createUser, setupOrganisation, type TestApp } from '../helpers/app.js';

let testApp: TestApp;
let bob: number;
let dora: number;

beforeAll(async () => {
  testApp = await createTestApp({ LOG_LEVEL: 'silent' });
  await setupOrganisation(testApp.app);
  bob = await createUser(testApp.app, { email: 'bob@example.com', name: 'Bob <b>Stone</b>' });
  dora = await createUser(testApp.app, { email: 'dora@example.com', name: 'Dora Évrard' });
  const gone = await createUser(testApp.app, { email: 'gone@example.com', name: 'Gone Person' });
  await testApp.app.db.updateTable('users').set({ status: 'deactivated' }).where('id', '=', gone).execute();
  // Two people share a name: "@[Sam Lee]" typed by hand is ambiguous and mentions nobody.
  await createUser(testApp.app, { email: 'sam1@example.com', name: 'Sam Lee' });
  await createUser(testApp.app, { email: 'sam2@example.com', name: 'Sam Lee' });
});
afterAll(() => testApp.close());

const render = (source: string, preset: 'article' | 'short' = 'short') => renderMarkdown(testApp.app.db, source, preset);

describe('renderMarkdown: nothing typed can run', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[click](JAVASCRIPT:alert(1))',
    '[click]( javascript:alert(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](vbscript:msgbox(1))',
    '![x](https://example.org/x.png" onerror="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '[x](/relative/path)',
    '<svg onload=alert(1)>',
    '`<script>` and ```\n<script>alert(1)</script>\n```',
  ];
  for (const payload of payloads) {
    it(`renders ${JSON.stringify(payload)} inert`, async () => {
      const { html } = await render(payload, 'article');
      const root = parse(html);
      expect(root.querySelectorAll('script, img, svg, iframe, object, embed')).toHaveLength(0);
      for (const element of root.querySelectorAll('*')) {
        for (const name of Object.keys(element.attributes)) expect(name.toLowerCase().startsWith('on')).toBe(false);
      }
      for (const link of root.querySelectorAll('a')) {
        const href = link.getAttribute('href') ?? '';
        expect(href === '' || /^(https?:|mailto:|\/people\/|\/topics\/)/.test(href)).toBe(true);
      }
    });
  }

  it('keeps http, https and mailto links, marks outside links rel="noopener nofollow ugc"', async () => {
    const { html } = await render('[a](https://example.org) [b](http://example.org) [c](mailto:x@example.org) https://auto.example.org');
    const links = parse(html).querySelectorAll('a');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.org', 'http://example.org', 'mailto:x@example.org', 'https://auto.example.org']);
    expect(links.map((a) => a.getAttribute('rel') ?? null)).toEqual(['noopener nofollow ugc', 'noopener nofollow ugc', null, 'noopener nofollow ugc']);
  });

  it('short texts have no headings or tables; articles do', async () => {
    expect((await render('# Title\n\n| a |\n|---|\n| b |', 'short')).html).not.toMatch(/<h1|<table/);
    expect((await render('# Title\n\n| a |\n|---|\n| b |', 'article')).html).toMatch(/<h1>Title<\/h1>[\s\S]*<table>/);
  });
});

describe('renderMarkdown: mentions', () => {
  it('links a mention to the profile with the current name, escaped, and collects it once', async () => {
    const result = await render(`Hi @[Bob](${bob}) and again @[Bobby](${bob})`);
    const links = parse(result.html).querySelectorAll('a.mention');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([`/people/${bob}`, `/people/${bob}`]);
    expect(links[0]!.text).toBe('@Bob <b>Stone</b>');
    expect(result.html).toContain('&lt;b&gt;');
    expect(result.mentionedUserIds).toEqual([bob]);
  });

  it('resolves a name typed by hand when it is unambiguous, whatever its accents and case', async () => {
    const result = await render('Thanks @[dora evrard] and @[Sam Lee]');
    expect(result.mentionedUserIds).toEqual([dora]);
    expect(result.html).toContain('@[Sam Lee]');
  });

  it('does not mention unknown or deactivated people', async () => {
    const result = await render('@[Nobody](999999) @[Gone Person]');
    expect(result.mentionedUserIds).toEqual([]);
    expect(parse(result.html).querySelectorAll('a')).toHaveLength(0);
  });

  it('leaves mentions in code alone', async () => {
    expect((await render(`\`@[Bob](${bob})\``)).mentionedUserIds).toEqual([]);
  });
});

describe('renderMarkdown: topics', () => {
  it('links topics at the start of a word, folded for the URL', async () => {
    const result = await render('About #Sécurité, #sécurité and (#Qualité_2026) but not page#anchor, C# or `#code`');
    expect(result.topics).toEqual([
      { slug: 'securite', label: 'Sécurité' },
      { slug: 'qualite_2026', label: 'Qualité_2026' },
    ]);
    expect(parse(result.html).querySelectorAll('a.topic').map((a) => a.getAttribute('href'))).toEqual([
      '/topics/securite',
      '/topics/securite',
      '/topics/qualite_2026',
    ]);
  });

  it('is not fooled by a heading or a number', async () => {
    expect((await render('# Heading\n\n#1 and #42', 'article')).topics).toEqual([]);
  });

  it('folds like the URL does', () => {
    expect(topicSlug('ÉVÉNEMENT')).toBe('evenement');
  });
});

describe('renderMarkdown: the summary stored for cards', () => {
  it('is the words without markup, with mentions and topics as shown', async () => {
    const { summary } = await render(`**Hello** @[Dora](${dora}) about #Sécurité, [the page](https://example.org)\n\n- one\n- two`);
    expect(summary).toBe('Hello @Dora Évrard about #Sécurité, the page one two');
  });

  it('is cut at a word, with an ellipsis; typed HTML stays text (templates escape it)', async () => {
    const { summary } = await render(`# Title\n\n${'word '.repeat(200)}<script>x</script>`, 'article');
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_LENGTH + 1);
    expect(summary.startsWith('Title word word')).toBe(true);
    expect(summary.endsWith('word…')).toBe(true);
    expect((await render('<b>bold</b> text')).summary).toBe('<b>bold</b> text');
  });
});

describe('plainText and excerpt', () => {
  it('keeps the words, drops the markup', () => {
    expect(plainText('**Hello** [world](https://example.org)\n\n- one\n- two\n\n<b>x</b>')).toBe('Hello world one two <b>x</b>');
  });

  it('cuts at a word with an ellipsis', () => {
    expect(excerpt('The quick brown fox jumps', 12)).toBe('The quick…');
    expect(excerpt('Short', 12)).toBe('Short');
  });
});
