// `npm run seed`: a realistic database with the requested counts, consistent with the rules of the
// content model (memberships, one level of replies, unique reactions), repeatable, and never written
// over a database that already holds an organisation.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrations } from '../../migrations/index.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { SEED_ADMIN_EMAIL, SEED_MEMBER_EMAIL, SEED_PASSWORD, seed } from '../../src/cli/seed.js';
import { loadConfig } from '../../src/config.js';
import { REACTION_KEYS } from '../../src/features/conversation/reactions.js';
import { projectRoot } from '../../src/paths.js';
import { cookiesFrom } from '../helpers/app.js';
import { buildOnce } from '../helpers/process.js';

const runSeed = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(projectRoot, 'dist', 'src', 'cli', 'seed.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });

describe('npm run seed (the built command)', () => {
  let root: string;
  let dataDir: string;
  let db: SQLite.Database;
  let stdout: string;
  const all = <T>(query: string, ...params: unknown[]) => db.prepare(query).all(...params) as T[];
  const one = <T>(query: string, ...params: unknown[]) => db.prepare(query).get(...params) as T;
  const count = (query: string, ...params: unknown[]) => (db.prepare(query).pluck().get(...params) as number) ?? 0;

  beforeAll(async () => {
    await buildOnce();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-seed-'));
    dataDir = path.join(root, 'data');
    const result = runSeed(['--data-dir', dataDir, '--users', '20', '--spaces', '3', '--items', '200']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    stdout = result.stdout;
    db = new SQLite(path.join(dataDir, 'hameau.db'), { readonly: true });
  }, 180_000);
  afterAll(() => {
    db?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('makes the requested counts and says what it made and how long it took', () => {
    expect(count('select count(*) from users')).toBe(20);
    expect(count("select count(*) from spaces where visibility != 'company'")).toBe(3);
    expect(count("select count(*) from spaces where visibility = 'company'")).toBe(1);
    expect(count('select count(*) from content')).toBe(200);
    expect(count("select count(*) from content where kind = 'news'")).toBe(20);
    expect(count('select count(*) from news_articles')).toBe(20);
    expect(count('select count(*) from posts')).toBe(180);
    // Comments and reactions default to three and five per item.
    expect(count('select count(*) from comments')).toBe(600);
    expect(count('select count(*) from reactions')).toBe(1000);
    expect(stdout).toMatch(/^Seeded .+ in \d+\.\d s \(random seed 1\):$/m);
    expect(stdout).toContain('20 people');
    expect(stdout).toContain('200 items (20 news articles, 180 posts)');
    expect(stdout).toContain('600 comments, 1000 reactions');
    expect(stdout).toContain(`Sign in as ${SEED_ADMIN_EMAIL} (admin) or ${SEED_MEMBER_EMAIL} (member), password "${SEED_PASSWORD}".`);
  });

  it('writes a consistent database: integrity, foreign keys, the migrations all applied', () => {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(all<{ name: string }>('select name from core_migrations order by name').map((r) => r.name)).toEqual(Object.keys(coreMigrations).sort());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('gives every seeded person the documented password, and the documented admin and member', async () => {
    const admin = one<{ role: string; status: string; password_hash: string }>('select role, status, password_hash from users where email = ?', SEED_ADMIN_EMAIL);
    const member = one<{ id: number; role: string; status: string }>('select id, role, status from users where email = ?', SEED_MEMBER_EMAIL);
    expect(admin).toMatchObject({ role: 'admin', status: 'active' });
    expect(member).toMatchObject({ role: 'member', status: 'active' });
    expect(await verifyPassword(admin.password_hash, SEED_PASSWORD)).toBe(true);
    expect(count('select count(distinct password_hash) from users')).toBe(1);
    // The bench's member is a plain member of spaces, never their admin.
    expect(count("select count(*) from space_members where user_id = ? and role = 'admin'", member.id)).toBe(0);
    expect(count('select count(*) from space_members where user_id = ?', member.id)).toBeGreaterThan(0);
    expect(count('select count(distinct email) from users')).toBe(20);
  });

  it('makes valid memberships: not in the company space, an admin in every space, everyone somewhere', () => {
    expect(count("select count(*) from space_members m join spaces s on s.id = m.space_id where s.visibility = 'company'")).toBe(0);
    expect(count("select count(*) from space_members where role not in ('admin', 'member')")).toBe(0);
    const spacesWithoutActiveAdmin = all(
      `select s.id from spaces s where s.visibility != 'company' and not exists (
         select 1 from space_members m join users u on u.id = m.user_id where m.space_id = s.id and m.role = 'admin' and u.status = 'active')`,
    );
    expect(spacesWithoutActiveAdmin).toEqual([]);
    expect(count('select count(*) from users u where not exists (select 1 from space_members m where m.user_id = u.id)')).toBe(0);
    // Pending requests and invitations are for people who are not members yet.
    expect(count('select count(*) from space_requests r join space_members m on m.space_id = r.space_id and m.user_id = r.user_id')).toBe(0);
  });

  it('only lets members write in a private space, and only publishers write news', () => {
    const strangers = (table: 'content' | 'comments') =>
      count(
        `select count(*) from ${table} t ${table === 'comments' ? 'join content c on c.id = t.content_id' : 'join content c on c.id = t.id'}
         join spaces s on s.id = c.space_id
         where s.visibility = 'private' and not exists (select 1 from space_members m where m.space_id = s.id and m.user_id = t.author_id)`,
      );
    expect(strangers('content')).toBe(0);
    expect(strangers('comments')).toBe(0);
    expect(count("select count(*) from content c join users u on u.id = c.author_id where c.kind = 'news' and u.role = 'member'")).toBe(0);
  });

  it('spreads items over two years, newest with the highest ids, with must-reads and pins, nothing left for the purge', () => {
    const now = Date.now();
    const span = one<{ oldest: number; newest: number }>('select min(published_at) as oldest, max(published_at) as newest from content where published_at <= ?', now);
    expect(now - span.oldest).toBeGreaterThan(300 * 86_400_000);
    expect(now - span.oldest).toBeLessThanOrEqual(2 * 365 * 86_400_000 + 60_000);
    expect(now - span.newest).toBeLessThan(60 * 86_400_000);
    // Ids follow time, as they would in a real database.
    const out = count(
      `select count(*) from content a join content b on b.id = a.id + 1
       where a.published_at <= ? and b.published_at <= ? and b.published_at < a.published_at`,
      now,
      now,
    );
    expect(out).toBe(0);
    expect(count("select count(*) from content where must_read = 1 and kind = 'news'")).toBeGreaterThanOrEqual(3);
    expect(count('select count(*) from content where must_read = 1 and kind != ?', 'news')).toBe(0);
    expect(count('select count(*) from read_confirmations r join content c on c.id = r.content_id where c.must_read = 0')).toBe(0);
    expect(count('select count(*) from content where pinned_until > ?', now)).toBeGreaterThanOrEqual(1);
    // Soft-deleted items are recent: the server purges those deleted over 30 days ago when it starts.
    expect(count('select count(*) from content where deleted_at <= ?', now - 20 * 86_400_000)).toBe(0);
    // The bench's member has not confirmed the two newest must-reads: they stay on top of their feed.
    const newest = all<{ id: number }>('select id from content where must_read = 1 order by published_at desc limit 2');
    for (const { id } of newest) {
      expect(count('select count(*) from read_confirmations r join users u on u.id = r.user_id where r.content_id = ? and u.email = ?', id, SEED_MEMBER_EMAIL)).toBe(0);
    }
  });

  it('renders bodies with the real markdown renderer and records their mentions and topics', () => {
    expect(count("select count(*) from posts where body_html not like '<p>%'")).toBe(0);
    expect(count("select count(*) from news_articles where body_html not like '%<h2>%'")).toBe(0);
    expect(count("select count(*) from posts where body_html like '%<script%'")).toBe(0);
    // Every recorded mention of an item shows in its HTML as a link to that person.
    const mentions = all<{ user_id: number; html: string }>(
      `select m.user_id, coalesce(p.body_html, a.body_html) as html from mentions m
       left join posts p on p.content_id = m.content_id left join news_articles a on a.content_id = m.content_id
       where m.comment_id is null`,
    );
    expect(mentions.length).toBeGreaterThan(0);
    for (const mention of mentions) expect(mention.html).toContain(`href="/people/${mention.user_id}"`);
    const topics = all<{ slug: string; html: string }>(
      `select t.slug, coalesce(p.body_html, a.body_html) as html from content_topics ct join topics t on t.id = ct.topic_id
       left join posts p on p.content_id = ct.content_id left join news_articles a on a.content_id = ct.content_id`,
    );
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) expect(topic.html).toContain(`href="/topics/${encodeURIComponent(topic.slug)}"`);
  });

  it('keeps replies one level deep, on the same item, after their parent', () => {
    expect(count('select count(*) from comments where parent_id is not null')).toBeGreaterThan(0);
    const bad = count(
      `select count(*) from comments r join comments p on p.id = r.parent_id
       where p.parent_id is not null or p.content_id != r.content_id or p.id >= r.id or p.created_at > r.created_at`,
    );
    expect(bad).toBe(0);
    const early = count('select count(*) from comments k join content c on c.id = k.content_id where c.published_at is null or k.created_at < c.published_at');
    expect(early).toBe(0);
    // The bench's permalink page: an item everyone sees, with exactly 50 comments.
    const fifty = all(
      `select c.id from content c join spaces s on s.id = c.space_id and s.visibility = 'company'
       join comments k on k.content_id = c.id and k.deleted_at is null and k.hidden_at is null
       group by c.id having count(*) = 50`,
    );
    expect(fifty.length).toBeGreaterThanOrEqual(1);
  });

  it('makes reactions unique per item, reaction and person, from the fixed set, on published items only', () => {
    expect(count('select count(*) from (select distinct content_id, reaction, user_id from reactions)')).toBe(1000);
    const names = all<{ reaction: string }>('select distinct reaction from reactions').map((r) => r.reaction);
    for (const name of names) expect(REACTION_KEYS).toContain(name);
    // Mostly likes, and more than one kind.
    expect(names.length).toBeGreaterThan(1);
    expect(count("select count(*) from reactions where reaction = 'like'")).toBeGreaterThan(400);
    expect(count('select count(*) from reactions r join content c on c.id = r.content_id where c.published_at is null or c.published_at > ?', Date.now())).toBe(0);
    const outsiders = count(
      `select count(*) from reactions r join content c on c.id = r.content_id join spaces s on s.id = c.space_id
       where s.visibility = 'private' and not exists (select 1 from space_members m where m.space_id = s.id and m.user_id = r.user_id)`,
    );
    expect(outsiders).toBe(0);
  });

  it('gives Hameau a database it signs in to and serves', async () => {
    // Imported here: the whole app is not needed by the other tests of this file.
    const { buildApp } = await import('../../src/app.js');
    const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const login = await app.inject({ method: 'POST', url: '/login', payload: { email: SEED_MEMBER_EMAIL, password: SEED_PASSWORD } });
      expect(login.statusCode).toBe(303);
      const cookie = cookiesFrom(login);
      const home = await app.inject({ url: '/', headers: { cookie } });
      expect(home.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses a database that already holds an organisation, and changes nothing', () => {
    const before = fs.statSync(path.join(dataDir, 'hameau.db')).size;
    const contentBefore = count('select count(*) from content');
    const again = runSeed(['--data-dir', dataDir, '--users', '5', '--items', '10']);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(`Seed failed: ${path.join(dataDir, 'hameau.db')} already holds an organisation; seed an empty DATA_DIR (or delete that file).\n`);
    expect(count('select count(*) from content')).toBe(contentBefore);
    expect(count('select count(*) from users')).toBe(20);
    expect(fs.statSync(path.join(dataDir, 'hameau.db')).size).toBe(before);
  });

  it('reads DATA_DIR when --data-dir is not given, and explains a bad parameter in one line', () => {
    const fromEnv = path.join(root, 'from-env');
    const bad = runSeed(['--users', '1'], { DATA_DIR: fromEnv });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('Seed failed: --users must be a whole number of at least 2 (got "1").\n');
    expect(runSeed(['--items', 'many'], { DATA_DIR: fromEnv }).stderr).toBe('Seed failed: --items must be a whole number of at least 0 (got "many").\n');
    expect(runSeed(['--now', 'yesterday'], { DATA_DIR: fromEnv }).stderr).toBe('Seed failed: --now must be a date such as 2026-11-30T09:00:00Z (got "yesterday").\n');
    expect(fs.existsSync(path.join(fromEnv, 'hameau.db'))).toBe(false);

    const ok = runSeed(['--users', '3', '--spaces', '1', '--items', '5', '--comments', '4', '--reactions', '6', '--invitations', '0'], { DATA_DIR: fromEnv });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const small = new SQLite(path.join(fromEnv, 'hameau.db'), { readonly: true });
    try {
      const n = (table: string) => small.prepare(`select count(*) from ${table}`).pluck().get() as number;
      expect([n('users'), n('spaces'), n('content'), n('comments'), n('reactions'), n('invitations')]).toEqual([3, 2, 5, 4, 6, 0]);
    } finally {
      small.close();
    }
  });
});

describe('seed()', () => {
  it('makes the same rows from the same parameters and random seed', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-seed-repeat-'));
    try {
      const now = Date.UTC(2026, 10, 30, 9, 0, 0);
      const dump = async (dir: string, randomSeed: number) => {
        await seed({ dataDir: path.join(root, dir), users: 15, spaces: 4, items: 120, randomSeed, now });
        const copy = new SQLite(path.join(root, dir, 'hameau.db'), { readonly: true });
        try {
          return ['users', 'spaces', 'space_members', 'content', 'posts', 'news_articles', 'comments', 'reactions', 'mentions', 'read_confirmations']
            .map((table) => JSON.stringify(copy.prepare(`select * from ${table} order by 1, 2, 3`).all().map((row) => ({ ...(row as object), password_hash: undefined }))))
            .join('\n');
        } finally {
          copy.close();
        }
      };
      const first = await dump('a', 7);
      expect(await dump('b', 7)).toBe(first);
      expect(await dump('c', 8)).not.toBe(first);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
