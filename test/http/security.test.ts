// What a browser and an attacker see of Hameau's defences: security headers, a CSP that inline code
// cannot get past (and pages that never need it), and refusal of cross-site form posts.
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  createTestApp,
  createUser,
  html,
  login,
  mainText,
  setupOrganisation,
  type TestApp,
} from '../helpers/app.js';

/** The Content-Security-Policy header as directive -> sources. */
function csp(response: LightMyRequestResponse): Map<string, string[]> {
  const header = response.headers['content-security-policy'];
  expect(typeof header, 'Content-Security-Policy header').toBe('string');
  const directives = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function expectSecurityHeaders(response: LightMyRequestResponse, label: string) {
  const policy = csp(response);
  expect(policy.get('default-src'), label).toEqual(["'self'"]);
  expect(policy.get('script-src'), label).toEqual(["'self'"]);
  expect(policy.get('style-src'), label).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors'), label).toEqual(["'none'"]);
  expect(policy.get('object-src'), label).toEqual(["'none'"]);
  for (const [directive, sources] of policy) {
    for (const source of sources) {
      // Only our own origin (and inline images as data: URLs); never inline code, eval or another site.
      expect(source, `${label}: ${directive}`).not.toMatch(/unsafe-|^\*$|^https?:|^\/\/|^[\w.-]+\.[a-z]{2,}/i);
    }
  }
  expect(response.headers['x-content-type-options'], label).toBe('nosniff');
  expect(response.headers['x-frame-options'], label).toBe('DENY');
  expect(response.headers['referrer-policy'], label).toBe('no-referrer');
}

/** Everything in a page that a strict CSP would block: inline scripts, styles, event handlers, foreign sources. */
function inlineCodeIn(response: LightMyRequestResponse): string[] {
  const found: string[] = [];
  const page = html(response);
  for (const element of page.querySelectorAll('*')) {
    const tag = element.rawTagName?.toLowerCase();
    if (tag === 'style') found.push('<style> element');
    if (tag === 'script' && !element.getAttribute('src')) found.push('inline <script>');
    for (const name of Object.keys(element.attributes)) {
      if (name.toLowerCase() === 'style') found.push(`style="" on <${tag}>`);
      if (/^on[a-z]+$/i.test(name)) found.push(`${name}="" on <${tag}>`);
      if (/^hx-on/i.test(name)) found.push(`${name}="" on <${tag}>`);
    }
    for (const name of ['src', 'href']) {
      const value = element.getAttribute(name);
      if (tag !== 'a' && value !== undefined && !/^\/(?!\/)/.test(value) && !value.startsWith('#')) {
        found.push(`<${tag} ${name}="${value}"> is not served by Hameau`);
      }
      if (value !== undefined && /^\s*javascript:/i.test(value)) found.push(`javascript: URL on <${tag}>`);
    }
  }
  // A second look at the raw text, in case the parser was lenient with broken markup.
  if (/<style[\s>]/i.test(response.body)) found.push('<style> in raw HTML');
  if (/<[a-z][^>]*\sstyle\s*=/i.test(response.body)) found.push('style attribute in raw HTML');
  return found;
}

describe('security headers', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('sends a strict policy with pages, error pages, static files and the health check', async () => {
    t = await createTestApp();
    const beforeSetup = await t.app.inject({ url: '/setup' });
    expectSecurityHeaders(beforeSetup, 'setup page');
    const cookie = await setupOrganisation(t.app);
    await createUser(t.app, { email: 'bob@example.com' });
    const member = await login(t.app, 'bob@example.com');

    const responses: [string, LightMyRequestResponse][] = [
      ['login page', await t.app.inject({ url: '/login' })],
      ['home page', await t.app.inject({ url: '/', headers: { cookie } })],
      ['404 page', await t.app.inject({ url: '/no-such-page', headers: { cookie } })],
      ['403 page', await t.app.inject({ url: '/admin/members', headers: { cookie: member } })],
      ['redirect', await t.app.inject({ url: '/account' })],
      ['stylesheet', await t.app.inject({ url: '/static/css/hameau.css' })],
      ['script', await t.app.inject({ url: '/static/js/hameau.js' })],
      ['htmx', await t.app.inject({ url: '/static/vendor/htmx-4.0.1.min.js' })],
      ['missing static file', await t.app.inject({ url: '/static/nothing-here.js' })],
      ['health check', await t.app.inject({ url: '/healthz' })],
    ];
    expect(responses.map(([label, r]) => [label, r.statusCode])).toEqual([
      ['login page', 200],
      ['home page', 200],
      ['404 page', 404],
      ['403 page', 403],
      ['redirect', 303],
      ['stylesheet', 200],
      ['script', 200],
      ['htmx', 200],
      ['missing static file', 404],
      ['health check', 200],
    ]);
    for (const [label, response] of responses) {
      expectSecurityHeaders(response, label);
      // Served over plain http: HSTS would be meaningless (and wrong for a test install).
      expect(response.headers['strict-transport-security'], label).toBeUndefined();
    }
    expect(responses[5]![1].headers['content-type']).toMatch(/^text\/css/);
    expect(responses[6]![1].headers['content-type']).toMatch(/javascript/);
  });

  it('asks browsers to stay on https when Hameau is served over https', async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://intranet.example.com' });
    for (const url of ['/setup', '/static/css/hameau.css', '/no-such-page']) {
      const response = await t.app.inject({ url, headers: { host: 'intranet.example.com' } });
      const hsts = response.headers['strict-transport-security'];
      expect(hsts, url).toMatch(/max-age=(\d+)/);
      expect(Number(/max-age=(\d+)/.exec(String(hsts))![1]), url).toBeGreaterThanOrEqual(15_552_000);
      expectSecurityHeaders(response, url);
    }
  });
});

describe('pages need no inline script or style', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('holds for every page a visitor, a member and an admin can reach', async () => {
    const pages: [string, LightMyRequestResponse][] = [];
    pages.push(['setup', await t.app.inject({ url: '/setup' })]);
    pages.push([
      'setup with errors',
      await t.app.inject({ method: 'POST', url: '/setup', payload: { organisationName: '', email: 'x', password: 'short' } }),
    ]);
    const admin = await setupOrganisation(t.app);
    await createUser(t.app, { email: 'bob@example.com', name: 'Bob' });
    const member = await login(t.app, 'bob@example.com');

    const invited = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin },
      payload: { email: 'carol@example.com', role: 'member', locale: 'en' },
    });
    // POST-then-redirect: the members page shows the outcome, carried by the flash cookie.
    const follow = (posted: LightMyRequestResponse) =>
      t.app.inject({ url: '/admin/members', headers: { cookie: [admin, ...posted.cookies.map((c) => `${c.name}=${c.value}`)].join('; ') } });
    const invite = await follow(invited);
    pages.push(['members after inviting', invite]);
    const invitationLink = html(invite).querySelector('#outcome-link')?.getAttribute('value') ?? '';
    expect(invitationLink).toMatch(/\/invite\/\w+$/);
    const reset = await follow(await t.app.inject({
      method: 'POST',
      url: `/admin/members/${(await t.app.db.selectFrom('users').select('id').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow()).id}/reset-link`,
      headers: { cookie: admin },
    }));
    const resetLink = html(reset).querySelector('#outcome-link')?.getAttribute('value') ?? '';
    expect(resetLink).toMatch(/\/password\/reset\/\w+$/);

    const get = async (label: string, url: string, cookie?: string) =>
      pages.push([label, await t.app.inject({ url, headers: cookie ? { cookie } : {} })]);
    await get('login', '/login');
    await get('forgot password', '/password/forgot');
    await get('accept invitation', new URL(invitationLink).pathname);
    await get('choose a new password', new URL(resetLink).pathname);
    await get('unknown invitation', '/invite/nosuchtoken');
    await get('home (admin)', '/', admin);
    await get('home (member)', '/', member);
    await get('members', '/admin/members', admin);
    await get('account', '/account', member);
    await get('password', '/account/password', member);
    await get('sessions', '/account/sessions', member);
    await get('404', '/no-such-page', member);
    await get('404 (signed out)', '/no-such-page');
    await get('403', '/admin/members', member);
    pages.push([
      'login with errors',
      await t.app.inject({ method: 'POST', url: '/login', payload: { email: 'bob@example.com', password: 'not the right one' } }),
    ]);
    pages.push([
      'cross-site refusal',
      await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: member, 'sec-fetch-site': 'cross-site' } }),
    ]);

    for (const [label, response] of pages) {
      expect(response.headers['content-type'], label).toMatch(/^text\/html/);
      expect(inlineCodeIn(response), label).toEqual([]);
    }
    // The scripts a page does use are our own files.
    const scripts = html(pages.find(([label]) => label === 'home (admin)')![1]).querySelectorAll('script');
    expect(scripts.map((s) => s.getAttribute('src'))).toEqual(['/static/vendor/htmx-4.0.1.min.js', '/static/vendor/hx-head-4.0.1.min.js', '/static/js/hameau.js', '/static/js/mentions.js', '/static/js/live-bell.js', '/static/js/search-box.js']);
  });

  it('notices inline code when there is some (the check itself can fail)', () => {
    const page = (body: string) => ({ body, headers: {} }) as unknown as LightMyRequestResponse;
    expect(inlineCodeIn(page('<p style="color:red">x</p>'))).not.toEqual([]);
    expect(inlineCodeIn(page('<script>alert(1)</script>'))).not.toEqual([]);
    expect(inlineCodeIn(page('<style>p{}</style>'))).not.toEqual([]);
    expect(inlineCodeIn(page('<button onclick="x()">x</button>'))).not.toEqual([]);
    expect(inlineCodeIn(page('<script src="https://cdn.example.com/htmx.js"></script>'))).not.toEqual([]);
    expect(inlineCodeIn(page('<script src="/static/js/hameau.js"></script><p>fine</p>'))).toEqual([]);
  });
});

describe('cross-site request forgery', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app, { locale: 'fr' });
  });
  afterEach(async () => t.close());

  const invitation = { email: 'carol@example.com', role: 'member', locale: 'fr' };
  const invitationCount = async () => (await t.app.db.selectFrom('invitations').select('id').execute()).length;

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site, even with an Origin matching Host', { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:80' }],
    ['Origin of another site, no Sec-Fetch-Site', { origin: 'https://evil.example' }],
    ['Origin: null (sandboxed frame, data: URL)', { origin: 'null' }],
    ['Origin with our host on another port', { origin: 'http://localhost:8080' }],
  ])('refuses an admin form posted from another site (%s) and creates nothing', async (_label, headers) => {
    const response = await t.app.inject({ method: 'POST', url: '/admin/invitations', headers: { cookie: admin, ...headers }, payload: invitation });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    // The admin's language (French), in the layout, saying why.
    expect(html(response).querySelector('html')?.getAttribute('lang')).toBe('fr');
    expect(html(response).querySelector('h1')?.text).toBe('Action non autorisée');
    expect(mainText(response)).toContain('venait d’un autre site web');
    expect(await invitationCount()).toBe(0);
  });

  it('keeps the session when another site posts to /logout', async () => {
    const refused = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: admin, 'sec-fetch-site': 'cross-site' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
    const home = await t.app.inject({ url: '/', headers: { cookie: admin } });
    expect(home.statusCode).toBe(200);
    expect(mainText(home)).toContain(ADMIN.name);
    expect(await t.app.db.selectFrom('sessions').select('id').execute()).toHaveLength(1);
  });

  it('answers a refused visitor in the language of their browser', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { origin: 'https://evil.example', 'accept-language': 'en-GB,en;q=0.9' },
      payload: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(response.statusCode).toBe(403);
    expect(mainText(response)).toContain('came from another website');
    // Login CSRF: the attacker's browser got no session.
    expect(response.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
  });

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed or bookmarked by the user)', { 'sec-fetch-site': 'none' }],
    ['Origin equal to PUBLIC_URL (behind a proxy that rewrites Host)', { origin: 'http://localhost:3000', host: '10.0.0.5:3000' }],
    ['Origin whose host is the Host header', { origin: 'http://intranet.local:8080', host: 'intranet.local:8080' }],
    ['neither Origin nor Sec-Fetch-Site (not a browser page)', {}],
  ])('accepts a form posted from Hameau itself (%s)', async (_label, headers) => {
    const response = await t.app.inject({ method: 'POST', url: '/admin/invitations', headers: { cookie: admin, ...headers }, payload: invitation });
    expect(response.statusCode).toBe(303);
    expect(await invitationCount()).toBe(1);
  });

  it('lets a same-origin /logout end the session', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: admin, 'sec-fetch-site': 'same-origin' } });
    expect(response.statusCode).toBe(303);
    expect((await t.app.inject({ url: '/', headers: { cookie: admin } })).headers.location).toMatch(/^\/login/);
  });

  it('lets links from other sites (an email, a chat) open pages', async () => {
    const response = await t.app.inject({ url: '/', headers: { cookie: admin, 'sec-fetch-site': 'cross-site', origin: 'https://mail.example' } });
    expect(response.statusCode).toBe(200);
  });
});
