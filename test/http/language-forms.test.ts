// Forms that change the language reload the whole document: boosted navigation merges the <head>
// (hx-head) but not <html lang>, so a boosted save of "Français" would leave a French page marked
// English, read by screen readers with English rules until the next full load (WCAG 3.1.1). The
// footer's language switch and the profile form (POST /account, field "locale") are not boosted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { html, type TestApp } from '../helpers/app.js';
import { appWithRepositoryPlugins } from '../helpers/plugins.js';

describe('a form that changes the language reloads the whole document', () => {
  let t: TestApp;
  let cookie: string;
  beforeEach(async () => {
    const started = await appWithRepositoryPlugins();
    t = started.t;
    cookie = started.admin.cookie;
  });
  afterEach(async () => {
    await t.close();
  });

  it('the profile form (name and language) is not boosted, as the footer language switch is not', async () => {
    const page = await t.app.inject({ url: '/account', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const doc = html(page);
    expect(doc.querySelector('body')?.getAttribute('hx-boost:inherited')).toBe('true');
    expect(doc.querySelector('form.language-switch')?.getAttribute('hx-boost')).toBe('false');
    const profile = doc.querySelector('form[action="/account"]');
    expect(profile?.querySelector('[name="locale"]')).not.toBeNull();
    expect(profile?.getAttribute('hx-boost')).toBe('false');
  });
});
