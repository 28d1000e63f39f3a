// GET /healthz as Docker's HEALTHCHECK and a load balancer use it: cheap, quiet, and honest about the database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, setupOrganisation, type TestApp } from '../helpers/app.js';

describe('GET /healthz', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('answers 200 before the organisation is set up, instead of sending to /setup', async () => {
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
    // Checkers often use HEAD.
    expect((await t.app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
  });

  it('does no session work: no cookie set or cleared, no session touched', async () => {
    const cookie = await setupOrganisation(t.app);
    // A session last seen two hours ago would be renewed by any page.
    const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000;
    await t.app.db.updateTable('sessions').set({ last_verified_at: twoHoursAgo }).execute();

    const withSession = await t.app.inject({ url: '/healthz', headers: { cookie } });
    expect(withSession.statusCode).toBe(200);
    expect(withSession.headers['set-cookie']).toBeUndefined();
    const withGarbage = await t.app.inject({ url: '/healthz', headers: { cookie: 'hameau_session=forged.token' } });
    expect(withGarbage.statusCode).toBe(200);
    expect(withGarbage.headers['set-cookie']).toBeUndefined();
    const session = await t.app.db.selectFrom('sessions').select('last_verified_at').executeTakeFirstOrThrow();
    expect(session.last_verified_at).toBe(twoHoursAgo);

    // The same cookie on a page does renew the session: the check above could have seen it.
    const page = await t.app.inject({ url: '/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(sessionCookie(page)).toBe(cookie);
    const renewed = await t.app.db.selectFrom('sessions').select('last_verified_at').executeTakeFirstOrThrow();
    expect(renewed.last_verified_at).toBeGreaterThan(twoHoursAgo);
  });

  it('does not write a log line for every check', async () => {
    for (let i = 0; i < 3; i++) await t.app.inject({ url: '/healthz' });
    expect(t.logs.filter((line) => JSON.stringify(line).includes('/healthz'))).toEqual([]);
    // Other requests are logged, so the log is being read.
    await t.app.inject({ url: '/setup' });
    expect(t.logs.filter((line) => JSON.stringify(line).includes('/setup')).length).toBeGreaterThan(0);
  });

  it('answers 503 when the database does not answer', async () => {
    await setupOrganisation(t.app);
    t.app.sqlite.close();
    const response = await t.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable' });
    expect(response.headers['cache-control']).toBe('no-store');
    // The failure is logged for whoever investigates, even though checks are otherwise quiet.
    expect(t.logs.some((line) => line.level === 50 && String(line.msg).includes('health check'))).toBe(true);
  });
});

describe('GET /healthz with a query string', () => {
  it('is still the health check, before setup too', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject({ url: '/healthz?probe=1' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    } finally {
      await t.close();
    }
  });
});
