// Rate limits as an attacker meets them: guessing passwords, flooding reset emails and invitations,
// probing for pages. Limits are those of src/http/rate-limits.ts; the tests go just past each one.
import type { LightMyRequestResponse } from 'fastify';
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

  it(`locks an account after ${RATE_LIMITS.loginFailuresPerEmail.max} failed sign-ins, from whatever addresses`, async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const { max } = RATE_LIMITS.loginFailuresPerEmail;
    expect(max).toBe(10);
    // A distributed guess: every attempt from another address.
    for (let i = 0; i < max; i++) {
      expect((await signIn('bob@example.com', `guess number ${i}`, `198.51.100.${i + 1}`)).statusCode).toBe(422);
    }
    const locked = await signIn('bob@example.com', PASSWORD, '198.51.100.200');
    expectTooManyRequests(locked, RATE_LIMITS.loginFailuresPerEmail.windowMs / 1000);
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
    for (let i = 0; i < RATE_LIMITS.loginFailuresPerEmail.max; i++) await signIn('bob@example.com', `guess number ${i}`);
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

  it(`sends at most ${RATE_LIMITS.resetRequestsPerEmail.max} password reset links an hour to one address`, async () => {
    await createUser(t.app, { email: 'bob@example.com' });
    const ask = (email: string, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/password/forgot', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email } });
    const { max } = RATE_LIMITS.resetRequestsPerEmail;
    expect(max).toBe(3);
    for (let i = 0; i < max; i++) expect((await ask('bob@example.com', `198.51.100.${i + 1}`)).statusCode).toBe(200);
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
    expect((await ask(ADMIN.email, '198.51.100.97')).statusCode).toBe(200);
  });

  it(`limits password reset requests from one address to ${RATE_LIMITS.resetRequestsPerIp.max}`, async () => {
    const { max } = RATE_LIMITS.resetRequestsPerIp;
    const ask = (email: string, remoteAddress = '203.0.113.7') =>
      t.app.inject({ method: 'POST', url: '/password/forgot', remoteAddress, headers: { 'accept-language': 'en' }, payload: { email } });
    for (let i = 0; i < max; i++) expect((await ask(`someone${i}@example.com`)).statusCode).toBe(200);
    expectTooManyRequests(await ask('one-more@example.com'), RATE_LIMITS.resetRequestsPerIp.windowMs / 1000);
    expect((await ask('one-more@example.com', '203.0.113.8')).statusCode).toBe(200);
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
