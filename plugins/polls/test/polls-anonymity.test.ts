// The anonymity proof for anonymous polls: after the votes of several people, nothing links a voter
// to their answer — no table row, no schema path, no page of the database file, no log line, no HTML
// page or htmx fragment, no notification, no export, no search result (test/helpers/anonymity.ts).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerLocations, findPairings } from '../../../test/helpers/anonymity.js';
import { searchUrl } from '../../../test/helpers/search.js';
import { optionIds, pollsWorld, VOTER_NAMES, type PollsWorld } from './polls-helpers.js';

let w: PollsWorld;
beforeEach(async () => {
  w = await pollsWorld();
});
afterEach(async () => {
  await w.t.close();
});

const HX = { 'hx-request': 'true', 'hx-request-type': 'partial' };
const LABELS = ['answer-7f3a Zanzibar', 'answer-91bc Kilimanjaro', 'answer-c04d Ouagadougou'];

describe('anonymous polls', () => {
  it('store nothing that pairs a voter with their answer, anywhere', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'anonymous', question: 'Where should the retreat be?', options: LABELS.join('\n'), purpose: 'event' });
    const options = await optionIds(w.app, id);
    const voters = w.voters.slice(0, 6);
    // Each voter's answer: a known pattern, so that every answer is someone's.
    const chosen = voters.map((_, i) => i % LABELS.length);
    const pages: string[] = [];
    w.t.logs.length = 0;
    for (const [i, voter] of voters.entries()) {
      const response = await w.post(`/polls/${id}/vote`, { option: String(options[chosen[i]!]) }, voter, i % 2 === 0 ? HX : {});
      expect([200, 303]).toContain(response.statusCode);
      pages.push(response.body);
    }
    // Results are shown from k = 5 on, as the copy taken at the fifth vote: the sixth vote is counted
    // (below) but not shown until k more arrive, so nobody can read it from a difference.
    const authorPage = await w.get(`/polls/${id}`);
    expect(authorPage.body).toContain('5 voters');
    expect(authorPage.body).not.toContain('6 voters');
    pages.push(authorPage.body);
    for (const voter of voters) {
      for (const url of [`/polls/${id}`, `/polls/${id}/panel`, `/content/${id}`, `/spaces/${w.team}`, '/notifications']) {
        const page = await w.get(url, voter, url.endsWith('/panel') ? HX : {});
        pages.push(page.body);
        // A voter's own page does not say which answer was theirs.
        expect(page.body).not.toMatch(/<input[^>]*name="option"[^>]*checked/);
      }
    }
    // Pages seen by others (the author, an admin, a member who did not vote, someone outside the space) name no voter.
    for (const who of [w.bruno, w.admin, w.olga]) {
      for (const url of [`/polls/${id}`, `/polls/${id}/panel`, `/content/${id}`, `/spaces/${w.team}`, '/notifications', searchUrl('retreat'), searchUrl('Zanzibar')]) {
        const body = (await w.get(url, who, url.endsWith('/panel') ? HX : {})).body;
        for (const [i, name] of VOTER_NAMES.slice(0, 6).entries()) {
          expect(body, url).not.toContain(name);
          expect(body, url).not.toContain(`voter${i + 1}@example.com`);
        }
      }
    }
    // Search by a voter's name finds no poll; by an answer finds the poll, never a voter.
    expect((await w.get(searchUrl('Quinault'), w.bruno)).body).not.toContain(`/content/${id}"`);

    // Exports: no voter's export holds an answer.
    for (const voter of voters) {
      const exported = JSON.stringify(await w.app.plugins.exportUser(voter.id));
      for (const label of LABELS) expect(exported).not.toContain(label);
    }

    // The database: first prove the answers are in it (as option labels), then look for pairings.
    const dbFile = path.join(w.t.dataDir, 'hameau.db');
    const locations = answerLocations(dbFile, w.t.logs, LABELS);
    for (const location of locations) expect(location.tables.polls_options).toBe(1);
    const subjects = voters.map((voter, i) => ({ userId: voter.id, email: `voter${i + 1}@example.com`, name: VOTER_NAMES[i]!, answer: LABELS[chosen[i]!]! }));
    const pairings = findPairings(dbFile, w.t.logs, subjects, { joinAllowed: ['polls_polls', 'content'] });
    expect(pairings.filter((p) => p.kind !== 'file')).toEqual([]);
    // The raw-bytes check works per page: the search index keeps people (names, emails) and content
    // (a poll's options) as separate rows that may share a page. A hit on a live page of a table or
    // index is a pair of rows the row check above has already read one by one; a hit anywhere else
    // (free pages, where deleted rows linger) would be a real leak, and fails here.
    const live = new Database(dbFile, { readonly: true });
    const pageSize = Number(live.pragma('page_size', { simple: true }));
    const livePages = new Map((live.prepare('select name, pageno from dbstat').all() as Array<{ name: string; pageno: number }>).map((r) => [r.pageno, r.name]));
    live.close();
    const filePairings = pairings.filter((p) => p.kind === 'file');
    const unexplained = filePairings.filter((p) => {
      const page = Math.floor(Number(p.where.replace('file offset ', '')) / pageSize) + 1;
      return !livePages.has(page) || /^polls_/.test(livePages.get(page)!);
    });
    expect(unexplained).toEqual([]);
    // The logs hold no answer at all (labels, nor the option ids of the votes as form fields).
    const logged = JSON.stringify(w.t.logs);
    for (const label of LABELS) expect(logged).not.toContain(label);
    expect(logged).not.toMatch(/"option"/);

    // The tables of anonymous answers: no user, no time, no row per answer, no path to users.
    const db = new Database(dbFile, { readonly: true });
    try {
      const columns = (table: string) => (db.prepare(`pragma table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
      const foreign = (table: string) => (db.prepare(`pragma foreign_key_list(${table})`).all() as Array<{ table: string }>).map((f) => f.table);
      expect(columns('polls_anonymous_counts')).toEqual(['poll_id', 'answer_key', 'count']);
      expect(foreign('polls_anonymous_counts')).toEqual(['polls_polls']);
      expect(columns('polls_anonymous_shown')).toEqual(['poll_id', 'answer_key', 'count']);
      expect(foreign('polls_anonymous_shown')).toEqual(['polls_polls']);
      // "Has voted" only: no answer, no time, no foreign key; WITHOUT ROWID keyed by user, not by order of voting.
      expect(columns('polls_participation')).toEqual(['poll_id', 'user_id']);
      const ddl = (db.prepare("select sql from sqlite_master where name = 'polls_participation'").get() as { sql: string }).sql;
      expect(ddl.toLowerCase()).toContain('without rowid');
      const counts = db.prepare('select answer_key, count from polls_anonymous_counts where poll_id = ? order by answer_key').all(id) as Array<{ answer_key: string; count: number }>;
      expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(6);
      expect(db.prepare('select count(*) as n from polls_votes where poll_id = ?').get(id)).toEqual({ n: 0 });
      // Rows read in storage order come out by user id, whatever the order of the votes.
      const participants = (db.prepare('select user_id from polls_participation where poll_id = ?').all(id) as Array<{ user_id: number }>).map((r) => r.user_id);
      expect(participants).toEqual([...participants].sort((a, b) => a - b));
    } finally {
      db.close();
    }
  });

  it('the check above can fail: a named vote in a public poll is found as a pairing', async () => {
    const id = await w.addPoll(w.bruno, w.team, { mode: 'public', options: LABELS.join('\n') });
    const [first] = await optionIds(w.app, id);
    await w.post(`/polls/${id}/vote`, { option: String(first) }, w.voters[0]);
    // A copy of what a careless plugin would do: the answer text next to the user id.
    await w.app.db.schema.createTable('polls_careless').addColumn('user_id', 'integer').addColumn('answer', 'text').execute();
    await w.app.db.withTables<{ polls_careless: { user_id: number; answer: string } }>().insertInto('polls_careless').values({ user_id: w.voters[0]!.id, answer: LABELS[0]! }).execute();
    const found = findPairings(path.join(w.t.dataDir, 'hameau.db'), w.t.logs, [{ userId: w.voters[0]!.id, email: 'voter1@example.com', name: VOTER_NAMES[0]!, answer: LABELS[0]! }]);
    expect(found.map((f) => f.kind)).toContain('row');
  });
});
