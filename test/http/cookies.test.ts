// The session cookie as a browser sees it, over http and over https.
import { describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, setupOrganisation } from '../helpers/app.js';

describe('the session cookie over https', () => {
  it('takes the __Host- prefix (Secure, whole site, this host only) and still signs in and out', async () => {
    const t = await createTestApp({ PUBLIC_URL: 'https://intranet.example.com' });
    try {
      await t.app.inject({
        method: 'POST',
        url: '/setup',
        payload: { organisationName: 'Acme', locale: 'en', timeZone: 'Europe/Paris', name: ADMIN.name, email: ADMIN.email, password: ADMIN.password, passwordConfirmation: ADMIN.password },
      });
      const login = await t.app.inject({ method: 'POST', url: '/login', payload: { email: ADMIN.email, password: ADMIN.password } });
      const cookie = login.cookies.find((c) => c.name === '__Host-hameau_session');
      expect(cookie).toMatchObject({ path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
      expect(cookie).not.toHaveProperty('domain');
      expect(login.cookies.find((c) => c.name === 'hameau_session')).toBeUndefined();

      const header = `__Host-hameau_session=${cookie!.value}`;
      expect((await t.app.inject({ url: '/', headers: { cookie: header } })).statusCode).toBe(200);
      // The unprefixed name is not read over https: a cookie planted by a sibling site counts for nothing.
      expect((await t.app.inject({ url: '/', headers: { cookie: `hameau_session=${cookie!.value}` } })).statusCode).toBe(303);

      const logout = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: header } });
      const cleared = logout.cookies.find((c) => c.name === '__Host-hameau_session');
      expect(cleared).toMatchObject({ value: '', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    } finally {
      await t.close();
    }
  });

  it('keeps the plain name over http, and clears it with the attributes it was set with', async () => {
    const t = await createTestApp();
    try {
      const admin = await setupOrganisation(t.app);
      const logout = await t.app.inject({ method: 'POST', url: '/logout', headers: { cookie: admin } });
      const cleared = logout.cookies.find((c) => c.name === 'hameau_session');
      expect(cleared).toMatchObject({ value: '', path: '/', httpOnly: true, sameSite: 'Lax' });
      expect(cleared?.secure).toBeFalsy();
    } finally {
      await t.close();
    }
  });
});
