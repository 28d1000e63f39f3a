// Rate limits as an attacker meets them: guessing passwords, flooding reset emails and invitations,
// probing for pages. Limits are those of src/http/rate-limits.ts; the tests go just past each one.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RATE_LIMITS } from '../../src/http/rate-limits.js';
import {
  ADMIN,
  createTestApp,
  createUser,
  html,
  login,
  mainText,
  PASSWORD,
  setupOrganisation,
  type TestApp,
} from '../helpers/app.js';

function expectTooManyRequests(response: LightMyRequestResponse, maxWaitSeconds: number) {
  expect(response.statusCode).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxWaitSeconds);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(html(response).querySelector('h1')?.text).toBe('Too many attempts');
}

describe('rate limits', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await setupOrganisation(t.app, { locale: 'en' });
  });
  afterEach(async () => t.close());

  const signIn = (email: string, password: string, remoteAddress = '203.0.113.1') =>
    t.app.inject({ method: 'POST', url: '/login', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email, password } });

  it(`locks an account after ${RATE_LIMITS.passwordFailuresPerAccount.max} failed sign-ins, from whatever addresses`, async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const { max } = RATE_LIMITS.passwordFailuresPerAccount;
    expect(max).toBe(10);
    // A distributed guess: every attempt from another address.
    for (let i = 0; i < max; i++) {
      expect((await signIn('bob@example.com', `guess number ${i}`, `198.51.100.${i + 1}`)).statusCode).toBe(422);
    }
    const locked = await signIn('bob@example.com', PASSWORD, '198.51.100.200');
    expectTooManyRequests(locked, RATE_LIMITS.passwordFailuresPerAccount.windowMs / 1000);
    expect(mainText(locked)).toContain('Wait 15 minutes');
    // Even the right password does not open the account during the window: the guesser learns nothing.
    expect(locked.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();
    // The same address written differently is the same account.
    expect((await signIn('  BOB@example.com ', PASSWORD, '198.51.100.201')).statusCode).toBe(429);

    // Other people are not locked out, even from the addresses the guesses came from.
    expect((await signIn(ADMIN.email, ADMIN.password, '198.51.100.1')).statusCode).toBe(303);
  });

  it('answers in French to a French browser', async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    for (let i = 0; i < RATE_LIMITS.passwordFailuresPerAccount.max; i++) await signIn('bob@example.com', `guess number ${i}`);
    const locked = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'accept-language': 'fr-FR,fr;q=0.9' },
      payload: { email: 'bob@example.com', password: PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(html(locked).querySelector('h1')?.text).toBe('Trop de tentatives');
    expect(mainText(locked)).toContain('Attendez 15 minutes');
  });

  it(`limits failed sign-ins from one address to ${RATE_LIMITS.loginFailuresPerIp.max}, without counting successes`, async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const office = '192.0.2.10';
    await createUser(t.app, { email: 'bob@example.com' });
    // Failures spread over many accounts (each below its own limit), most of them unknown.
    const failures = Array.from({ length: max - 1 }, (_, i) => `person${i % 6}@example.com`);
    for (const email of failures) expect((await signIn(email, 'not the password', office)).statusCode).toBe(422);
    // A whole office behind one address signs in successfully: that never locks it out.
    for (let i = 0; i < 3; i++) expect((await signIn('bob@example.com', PASSWORD, office)).statusCode).toBe(303);
    // The last failure allowed...
    expect((await signIn('person-last@example.com', 'not the password', office)).statusCode).toBe(422);
    // ...and then even a correct sign-in from that address waits.
    expectTooManyRequests(await signIn('bob@example.com', PASSWORD, office), RATE_LIMITS.loginFailuresPerIp.windowMs / 1000);
    // Elsewhere, the same account signs in.
    expect((await signIn('bob@example.com', PASSWORD, '192.0.2.11')).statusCode).toBe(303);
  });

  it('counts a sign-in attempt before checking the password, so parallel guesses for one account stop at the limit', async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const { max } = RATE_LIMITS.passwordFailuresPerAccount;
    // 30 guesses sent at once, each from another address: all of them arrive before any is checked.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signIn('bob@example.com', `parallel guess ${i}`, `198.51.100.${i + 1}`)),
    );
    const statuses = answers.map((r) => r.statusCode);
    // 422 means the password was checked (and found wrong): no more than the limit allows.
    expect(statuses.filter((s) => s === 422)).toHaveLength(max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - max);
    expectTooManyRequests(answers.find((r) => r.statusCode === 429)!, RATE_LIMITS.passwordFailuresPerAccount.windowMs / 1000);
    expect((await signIn('bob@example.com', PASSWORD, '198.51.100.200')).statusCode).toBe(429);
  });

  it('counts parallel failed sign-ins from one address before checking them, so they stop at its limit', async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const answers = await Promise.all(
      Array.from({ length: max + 10 }, (_, i) => signIn(`person${i}@example.com`, 'not the password', '192.0.2.77')),
    );
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 422)).toHaveLength(max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect((await signIn(ADMIN.email, ADMIN.password, '192.0.2.77')).statusCode).toBe(429);
    expect((await signIn(ADMIN.email, ADMIN.password, '192.0.2.78')).statusCode).toBe(303);
  });

  it('still lets sign-ins through when those running at the same time succeed', async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const { max } = RATE_LIMITS.passwordFailuresPerAccount;
    // Successes give their attempt back: far more than the limit, in waves, never lock the account.
    for (let wave = 0; wave < 3; wave++) {
      const answers = await Promise.all(Array.from({ length: max }, (_, i) => signIn('bob@example.com', PASSWORD, `198.51.100.${i + 1}`)));
      expect(answers.map((r) => r.statusCode)).toEqual(Array.from({ length: max }, () => 303));
    }
    expect((await signIn('bob@example.com', 'one wrong guess', '198.51.100.1')).statusCode).toBe(422);
  });

  it('does not count a refused sign-in against the address it came from', async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const perAccount = RATE_LIMITS.passwordFailuresPerAccount.max;
    const perAddress = RATE_LIMITS.loginFailuresPerIp.max;
    for (let i = 0; i < perAccount; i++) expect((await signIn('bob@example.com', `guess ${i}`, '192.0.2.90')).statusCode).toBe(422);
    // Someone keeps trying the locked account: refused each time, and counted nowhere.
    for (let i = 0; i < perAddress; i++) expect((await signIn('bob@example.com', `guess ${i}`, '192.0.2.90')).statusCode).toBe(429);
    // So the address still has the rest of its allowance for other accounts.
    for (let i = perAccount; i < perAddress; i++) {
      expect((await signIn(`person${i}@example.com`, 'not the password', '192.0.2.90')).statusCode).toBe(422);
    }
    expect((await signIn('person-last@example.com', 'not the password', '192.0.2.90')).statusCode).toBe(429);
  });

  /** `count` failed sign-ins, each for another unknown account, all sent at once. */
  const failFrom = (count: number, request: (i: number) => InjectOptions) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/login', payload: { email: `guess${i}@example.com`, password: 'not the password' }, ...request(i) }),
      ),
    );

  it('ignores X-Forwarded-For when TRUST_PROXY is not set: a client cannot choose a new address for each attempt', async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const spoofed = await failFrom(max, (i) => ({ remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } }));
    expect(spoofed.map((r) => r.statusCode)).toEqual(Array.from({ length: max }, () => 422));
    const next = await t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '192.0.2.250', 'accept-language': 'en' },
      payload: { email: 'one-more@example.com', password: 'not the password' },
    });
    expectTooManyRequests(next, RATE_LIMITS.loginFailuresPerIp.windowMs / 1000);
  });

  it('counts IPv6 addresses by their /64 block, which one machine is usually given whole', async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const rotated = await failFrom(max, (i) => ({ remoteAddress: `2001:db8:85a3:42::${(i + 1).toString(16)}` }));
    expect(rotated.map((r) => r.statusCode)).toEqual(Array.from({ length: max }, () => 422));
    expect((await signIn('one-more@example.com', 'not the password', '2001:db8:85a3:42:ffff:ffff:ffff:fffe')).statusCode).toBe(429);
    expect((await signIn('one-more@example.com', 'not the password', '2001:db8:85a3:42:0:0:0:1')).statusCode).toBe(429);
    // The next /64 is someone else.
    expect((await signIn('one-more@example.com', 'not the password', '2001:db8:85a3:43::1')).statusCode).toBe(422);
  });

  it('does not forget an address\'s count however many other addresses are tried', async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const ask = (email: string, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/password/forgot', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email } });
    const { max } = RATE_LIMITS.resetRequestsPerEmail;
    for (let i = 0; i < max; i++) await ask('bob@example.com', `198.51.100.${i + 1}`);
    // Thousands of made-up addresses from as many machines: an in-memory cache of a few thousand
    // entries would have dropped Bob's count to make room for them.
    for (let i = 0; i < 5200; i++) await ask(`made-up-${i}@example.com`, `10.${(i >> 8) & 255}.${i & 255}.1`);
    expect((await ask('bob@example.com', '198.51.100.99')).statusCode).toBe(429);
  }, 120_000);

  it(`sends at most ${RATE_LIMITS.resetRequestsPerEmail.max} password reset links an hour to one address`, async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const ask = (email: string, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/password/forgot', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email } });
    const { max } = RATE_LIMITS.resetRequestsPerEmail;
    expect(max).toBe(3);
    for (let i = 0; i < max; i++) expect((await ask('bob@example.com', `198.51.100.${i + 1}`)).statusCode).toBe(303);
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toHaveLength(max);

    const refused = await ask('bob@example.com', '198.51.100.99');
    expectTooManyRequests(refused, 3600);
    expect(mainText(refused)).toMatch(/Wait \d+ minutes/);
    // The refusal made no new link.
    expect(await t.app.db.selectFrom('password_resets').select('id').execute()).toHaveLength(max);
    // An address nobody uses is limited the same way, so the limit tells nothing about who has an account.
    for (let i = 0; i < max; i++) await ask('nobody@example.com', `198.51.100.${i + 10}`);
    expect((await ask('nobody@example.com', '198.51.100.98')).statusCode).toBe(429);
    // Someone else can still ask.
    expect((await ask(ADMIN.email, '198.51.100.97')).statusCode).toBe(303);
  });

  it(`limits password reset requests from one address to ${RATE_LIMITS.resetRequestsPerIp.max}`, async () => {
    const { max } = RATE_LIMITS.resetRequestsPerIp;
    const ask = (email: string, remoteAddress = '203.0.113.7') =>
      t.app.inject({ method: 'POST', url: '/password/forgot', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email } });
    for (let i = 0; i < max; i++) expect((await ask(`someone${i}@example.com`)).statusCode).toBe(303);
    expectTooManyRequests(await ask('one-more@example.com'), RATE_LIMITS.resetRequestsPerIp.windowMs / 1000);
    expect((await ask('one-more@example.com', '203.0.113.8')).statusCode).toBe(303);
  });

  it(`lets one admin create or send again at most ${RATE_LIMITS.invitationsPerAdmin.max} invitations an hour`, async () => {
    const admin = await login(t.app, ADMIN.email, ADMIN.password);
    const { max } = RATE_LIMITS.invitationsPerAdmin;
    // htmx's partial answer keeps each request small; the limit is the same for the full page.
    const invite = (email: string, cookie = admin) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/invitations',
        headers: { cookie, 'hx-request': 'true', 'hx-request-type': 'partial' },
        payload: { email, role: 'member', locale: 'en' },
      });
    for (let i = 0; i < max; i++) {
      const response = await invite(`colleague${i}@example.com`);
      if (response.statusCode !== 200) throw new Error(`invitation ${i + 1} answered ${response.statusCode}`);
    }
    expect(await t.app.db.selectFrom('invitations').select('id').execute()).toHaveLength(max);

    const refused = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin },
      payload: { email: 'one-too-many@example.com', role: 'member', locale: 'en' },
    });
    expectTooManyRequests(refused, RATE_LIMITS.invitationsPerAdmin.windowMs / 1000);
    expect(await t.app.db.selectFrom('invitations').select('id').where('email', '=', 'one-too-many@example.com').execute()).toEqual([]);
    // Sending again counts against the same limit (each sends an email).
    const first = await t.app.db.selectFrom('invitations').select(['id', 'token_hash']).orderBy('id').executeTakeFirstOrThrow();
    expect((await t.app.inject({ method: 'POST', url: `/admin/invitations/${first.id}/resend`, headers: { cookie: admin } })).statusCode).toBe(429);
    const unchanged = await t.app.db.selectFrom('invitations').select('token_hash').where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(unchanged.token_hash).toEqual(first.token_hash);

    // Another admin is not held back by the first one.
    await createUser(t.app, { email: 'second-admin@example.com', role: 'admin' });
    const other = await login(t.app, 'second-admin@example.com');
    expect((await invite('from-the-second-admin@example.com', other)).statusCode).toBe(200);
  });

  it(`limits "page not found" answers to ${RATE_LIMITS.notFoundPerIp.max} a minute from one address`, async () => {
    const { max } = RATE_LIMITS.notFoundPerIp;
    const probe = (url: string, remoteAddress = '203.0.113.50') =>
      t.app.inject({ url, remoteAddress, headers: { 'accept-language': 'en' } });
    for (let i = 0; i < max; i++) {
      const response = await probe(`/wp-admin/${i}.php`);
      if (response.statusCode !== 404) throw new Error(`probe ${i + 1} answered ${response.statusCode}`);
    }
    expectTooManyRequests(await probe('/.env'), RATE_LIMITS.notFoundPerIp.windowMs / 1000);
    // Another address still gets an honest 404, and real pages still answer the scanner's address.
    expect((await probe('/.env', '203.0.113.51')).statusCode).toBe(404);
    expect((await probe('/login')).statusCode).toBe(200);
  });
});

// TRUST_PROXY names the proxy (a number of hops is refused: see test/unit/config.test.ts).
describe('rate limits behind a reverse proxy (TRUST_PROXY=10.0.0.2)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ TRUST_PROXY: '10.0.0.2' });
    await setupOrganisation(t.app, { locale: 'en' });
  });
  afterEach(async () => t.close());

  const PROXY = '10.0.0.2';
  /** A sign-in as the proxy forwards it: whatever the client wrote, then the address the proxy saw. */
  const throughProxy = (clientWrote: string | null, clientAddress: string, email: string, password = 'not the password') =>
    t.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': clientWrote ? `${clientWrote}, ${clientAddress}` : clientAddress, 'accept-language': 'en' },
      payload: { email, password },
    });

  it('counts the address the proxy saw, not the one the client wrote in X-Forwarded-For', async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const guesses = await Promise.all(
      Array.from({ length: max }, (_, i) => throughProxy(`192.0.2.${i + 1}`, '198.51.100.23', `guess${i}@example.com`)),
    );
    expect(guesses.map((r) => r.statusCode)).toEqual(Array.from({ length: max }, () => 422));
    expect((await throughProxy('192.0.2.250', '198.51.100.23', 'one-more@example.com')).statusCode).toBe(429);
    // Another person behind the same proxy is not held back...
    expect((await throughProxy(null, '198.51.100.24', 'one-more@example.com')).statusCode).toBe(422);
    // ...and nobody can get them blocked by writing their address.
    expect((await throughProxy('198.51.100.23', '198.51.100.25', ADMIN.email, ADMIN.password)).statusCode).toBe(303);
  });

  it('believes X-Forwarded-For only from the proxy: a client reaching the port directly is counted by its own address', async () => {
    const { max } = RATE_LIMITS.loginFailuresPerIp;
    const direct = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '192.168.1.50',
        headers: { 'x-forwarded-for': `192.0.2.${i + 1}`, 'accept-language': 'en' },
        payload: { email: `guess${i}@example.com`, password: 'not the password' },
      });
    const guesses = await Promise.all(Array.from({ length: max }, (_, i) => direct(i)));
    expect(guesses.map((r) => r.statusCode)).toEqual(Array.from({ length: max }, () => 422));
    expect((await direct(max)).statusCode).toBe(429);
  });
});
