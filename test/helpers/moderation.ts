// A small organisation for moderation tests: an admin, an author, a plain member, the admin of two
// spaces (one open, one private), the admin of another space, an editor and a deactivated member,
// each signed in; and a post of the author in the company space, the open space and the private one.
import type { FastifyInstance } from 'fastify';
import { setUserStatus } from '../../src/auth/users.js';
import { ADMIN, createUser, login, setupOrganisation } from './app.js';
import { companySpaceId, createPost, createSpace } from './content.js';

export interface Person {
  id: number;
  cookie: string;
}

export interface World {
  admin: Person;
  author: Person;
  member: Person;
  spaceAdmin: Person;
  otherAdmin: Person;
  editor: Person;
  /** Signed in, then deactivated: their cookie no longer opens a session. */
  deactivated: Person;
  spaces: { company: number; team: number; secret: number; other: number };
  posts: { company: number; team: number; secret: number };
}

async function person(app: FastifyInstance, email: string, role: 'member' | 'editor' = 'member'): Promise<Person> {
  const id = await createUser(app, { email, name: email.split('@')[0]!.replace(/^./, (c) => c.toUpperCase()), role, locale: 'en' });
  return { id, cookie: await login(app, email) };
}

export async function createWorld(app: FastifyInstance): Promise<World> {
  const adminCookie = await setupOrganisation(app);
  const author = await person(app, 'author@example.com');
  const member = await person(app, 'member@example.com');
  const spaceAdmin = await person(app, 'spaceadmin@example.com');
  const otherAdmin = await person(app, 'otheradmin@example.com');
  const editor = await person(app, 'editor@example.com', 'editor');
  const deactivated = await person(app, 'gone@example.com');
  await setUserStatus(app.db, deactivated.id, 'deactivated');

  const company = await companySpaceId(app);
  const team = await createSpace(app, { name: 'Team', visibility: 'open', members: [[spaceAdmin.id, 'admin'], [author.id, 'member'], [member.id, 'member']] });
  const secret = await createSpace(app, { name: 'Secret', visibility: 'private', members: [[spaceAdmin.id, 'admin'], [author.id, 'member']] });
  const other = await createSpace(app, { name: 'Other', visibility: 'open', members: [[otherAdmin.id, 'admin']] });

  const posts = {
    company: await createPost(app, { spaceId: company, authorId: author.id, body: 'Hello everyone in the company' }),
    team: await createPost(app, { spaceId: team, authorId: author.id, body: 'Hello team' }),
    secret: await createPost(app, { spaceId: secret, authorId: author.id, body: 'A secret plan' }),
  };
  return {
    admin: { id: (await app.db.selectFrom('users').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).id, cookie: adminCookie },
    author,
    member,
    spaceAdmin,
    otherAdmin,
    editor,
    deactivated,
    spaces: { company, team, secret, other },
    posts,
  };
}

/** GET and POST as a signed-in person ('' for a visitor), in English. */
export function client(app: FastifyInstance) {
  return {
    get: (url: string, who: Person | '' = '') =>
      app.inject({ url, headers: { cookie: who === '' ? '' : who.cookie, 'accept-language': 'en' } }),
    post: (url: string, who: Person | '' = '', payload: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, headers: { cookie: who === '' ? '' : who.cookie, 'accept-language': 'en', ...headers }, payload }),
  };
}
