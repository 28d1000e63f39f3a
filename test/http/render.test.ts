// How pages are answered: a whole page in the layout, or only a fragment when htmx swaps part of a
// page; POST-then-redirect that works with and without JavaScript; invalid input shown again (422).
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, cookiesFrom, createTestApp, html, mainText, setupOrganisation, type TestApp } from '../helpers/app.js';

const PARTIAL = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const BOOSTED = { 'hx-request': 'true', 'hx-request-type': 'full' };

function expectFullPage(response: LightMyRequestResponse) {
  const page = html(response);
  expect(response.body.trimStart().toLowerCase()).toMatch(/^<!doctype html>/);
  expect(page.querySelector('html')).not.toBeNull();
  expect(page.querySelector('head title')).not.toBeNull();
  expect(page.querySelector('header')).not.toBeNull();
  expect(page.querySelector('main#main')).not.toBeNull();
  expect(page.querySelector('a.skip-link[href="#main"]')).not.toBeNull();
  expect(page.querySelector('footer')).not.toBeNull();
}

function expectFragment(response: LightMyRequestResponse) {
  expect(response.body).not.toMatch(/<!doctype|<html|<head|<body|<main|<header|<footer/i);
}

describe('rendering', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await createTestApp();
    admin = await setupOrganisation(t.app, { locale: 'en' });
  });
  afterEach(async () => t.close());

  it('answers a normal request with the whole page in the layout, never cached', async () => {
    const response = await t.app.inject({ url: '/', headers: { cookie: admin } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expectFullPage(response);
    expect(html(response).querySelector('main h1')?.text).toBe(`Hello, ${ADMIN.name}`);
    expect(html(response).querySelector('title')?.text).toBe('Home · Acme');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(String(response.headers.vary)).toMatch(/\bHX-Request\b/i);
  });

  it('answers an htmx partial request with the fragment only', async () => {
    const response = await t.app.inject({ url: '/account', headers: { cookie: admin, ...PARTIAL } });
    expect(response.statusCode).toBe(200);
    expectFragment(response);
    expect(html(response).querySelector('h1')?.text).toBe('Your profile');
    expect(html(response).querySelector('form[action="/account"] #name')?.getAttribute('value')).toBe(ADMIN.name);
    expect(String(response.headers.vary)).toMatch(/\bHX-Request\b/i);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers boosted navigation and history restores with the whole page', async () => {
    const boosted = await t.app.inject({ url: '/account', headers: { cookie: admin, ...BOOSTED } });
    expect(boosted.statusCode).toBe(200);
    expectFullPage(boosted);
    const restore = await t.app.inject({ url: '/account', headers: { cookie: admin, ...PARTIAL, 'hx-history-restore-request': 'true' } });
    expectFullPage(restore);
    // HX-Request alone (no request type) is not a partial swap either.
    expectFullPage(await t.app.inject({ url: '/account', headers: { cookie: admin, 'hx-request': 'true' } }));
  });

  it('tells caches that a page and its fragment differ', async () => {
    for (const headers of [{}, PARTIAL, BOOSTED]) {
      const response = await t.app.inject({ url: '/login', headers });
      const vary = String(response.headers.vary).split(',').map((v) => v.trim().toLowerCase());
      expect(vary).toContain('hx-request');
      expect(vary).toContain('hx-request-type');
    }
  });

  it('redirects after a POST with 303, and shows the notice on the next page once', async () => {
    const saved = await t.app.inject({ method: 'POST', url: '/account', headers: { cookie: admin }, payload: { name: 'Alice Dupont', locale: 'en' } });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/account');
    expect(saved.headers['hx-redirect']).toBeUndefined();
    const next = await t.app.inject({ url: '/account', headers: { cookie: cookiesFrom(saved, admin) } });
    expect(html(next).querySelector('.notice[role="status"]')?.text.trim()).toBe('Your profile has been saved.');
    expect(html(next).querySelector('#name')?.getAttribute('value')).toBe('Alice Dupont');
    // The notice is taken: the page after does not show it again.
    const after = await t.app.inject({ url: '/account', headers: { cookie: cookiesFrom(next, admin) } });
    expect(html(after).querySelector('.notice')).toBeNull();
  });

  it('answers an htmx partial POST with 204 and HX-Redirect instead of a redirect fetch would follow', async () => {
    const saved = await t.app.inject({
      method: 'POST',
      url: '/account',
      headers: { cookie: admin, ...PARTIAL },
      payload: { name: 'Alice Dupont', locale: 'en' },
    });
    expect(saved.statusCode).toBe(204);
    expect(saved.headers['hx-redirect']).toBe('/account');
    expect(saved.headers.location).toBeUndefined();
    expect(saved.body).toBe('');
    // A boosted form (whole page) gets the ordinary redirect.
    const boosted = await t.app.inject({ method: 'POST', url: '/account', headers: { cookie: admin, ...BOOSTED }, payload: { name: 'Alice', locale: 'en' } });
    expect(boosted.statusCode).toBe(303);
  });

  it('shows invalid input again with 422, what was typed kept and each problem by its field', async () => {
    const tooLong = 'É'.repeat(101);
    const response = await t.app.inject({
      method: 'POST',
      url: '/account',
      headers: { cookie: admin },
      payload: { name: tooLong, locale: 'xx' },
    });
    expect(response.statusCode).toBe(422);
    expectFullPage(response);
    const page = html(response);
    expect(page.querySelector('#name')?.getAttribute('value')).toBe(tooLong);
    expect(page.querySelector('#name')?.getAttribute('aria-invalid')).toBe('true');
    expect(page.querySelector('#name-error')?.text).toContain('Enter no more than 100 characters.');
    expect(page.querySelector('#locale-error')?.text).toContain('Choose one of the options.');
    expect(page.querySelector('.error-summary a[href="#name"]')).not.toBeNull();
    expect(page.querySelector('.error-summary a[href="#locale"]')).not.toBeNull();
    const user = await t.app.db.selectFrom('users').select('name').executeTakeFirstOrThrow();
    expect(user.name).toBe(ADMIN.name);
  });

  it('shows invalid input again in the fragment for an htmx form', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: { cookie: admin, ...PARTIAL },
      payload: { email: 'not an email <b>', role: 'member', locale: 'en' },
    });
    expect(response.statusCode).toBe(422);
    expectFragment(response);
    const fragment = html(response);
    expect(fragment.querySelector('#invite-email')?.getAttribute('value')).toBe('not an email <b>');
    expect(response.body).not.toContain('not an email <b>');
    expect(fragment.querySelector('#invite-email-error')?.text).toContain('Enter an email address');
    // The form answer keeps the browser on the page it was sent from.
    expect(response.headers['hx-replace-url']).toBe('false');
  });

  it('keeps the notice for the next full page when an htmx fragment is rendered in between', async () => {
    const saved = await t.app.inject({ method: 'POST', url: '/account', headers: { cookie: admin }, payload: { name: 'Alice', locale: 'en' } });
    const cookie = cookiesFrom(saved, admin);
    const fragment = await t.app.inject({ url: '/account', headers: { cookie, ...PARTIAL } });
    expect(fragment.body).not.toContain('Your profile has been saved.');
    const page = await t.app.inject({ url: '/account', headers: { cookie } });
    expect(mainText(page)).toContain('Your profile has been saved.');
  });
});
