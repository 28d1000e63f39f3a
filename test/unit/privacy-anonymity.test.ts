// The anonymity proof helper (test/helpers/anonymity.ts) must find every kind of pairing it claims
// to, and nothing in a database stored the right way: otherwise the plugins' anonymity tests could
// not fail.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerLocations, findPairings, type PairingSubject } from '../helpers/anonymity.js';

let dir: string;
let file: string;
let db: Database.Database;

const ottilie: PairingSubject = { userId: 41, email: 'ottilie@example.com', name: 'Ottilie Quenneville', answer: 'answer-7f3a Zanzibar' };
const barnabe: PairingSubject = { userId: 42, email: 'barnabe@example.com', name: 'Barnabé Fauconnier', answer: 'answer-19c2 Tombouctou' };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-anon-'));
  file = path.join(dir, 'test.db');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(`
    create table users (id integer primary key, email text, name text);
    create table polls_surveys (id integer primary key, author_id integer references users(id), title text);
    -- The right way: answers with the survey and the day only; participation apart, with no link.
    create table polls_answers (id integer primary key, survey_id integer references polls_surveys(id), day text, body text);
    create table polls_participation (survey_id integer, user_id integer references users(id), primary key (survey_id, user_id));
  `);
  db.prepare('insert into users values (?, ?, ?)').run(ottilie.userId, ottilie.email, ottilie.name);
  db.prepare('insert into users values (?, ?, ?)').run(barnabe.userId, barnabe.email, barnabe.name);
  db.prepare('insert into polls_surveys values (1, 42, ?)').run('Our week');
  for (const person of [ottilie, barnabe]) {
    db.prepare('insert into polls_answers (survey_id, day, body) values (1, ?, ?)').run('2026-01-15', person.answer);
    db.prepare('insert into polls_participation values (1, ?)').run(person.userId);
  }
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const people = [ottilie, barnabe];
const cleanLogs = [
  { level: 30, reqId: 'req-1', req: { method: 'POST', url: '/polls/surveys/1/answer' } },
  { level: 30, reqId: 'req-1', userId: 41, msg: 'request completed' },
];

describe('findPairings', () => {
  it('finds nothing when answers are stored unlinkable and logs hold no answer (the survey itself allowed as a join)', () => {
    expect(findPairings(file, cleanLogs, people, { joinAllowed: ['polls_surveys'] })).toEqual([]);
    // ...and the answers were there to be found, so the check could have failed.
    const where = answerLocations(file, cleanLogs, people.map((p) => p.answer));
    expect(where.map((w) => w.tables)).toEqual([{ polls_answers: 1 }, { polls_answers: 1 }]);
    expect(where.every((w) => w.fileHits >= 1 && w.logLines === 0)).toBe(true);
  });

  it('reports a join path to a table naming a person unless it is allowed', () => {
    const found = findPairings(file, [], people);
    expect(found).toEqual([
      { kind: 'schema', where: 'polls_answers', userId: 0, detail: 'a table holding answers has foreign key to polls_surveys (which references users)' },
    ]);
  });

  it('reports a user id column in an answer table, and the row pairing it', () => {
    db.exec('create table polls_votes (id integer primary key, voter_id integer, label text)');
    db.prepare('insert into polls_votes (voter_id, label) values (?, ?)').run(ottilie.userId, ottilie.answer);
    const found = findPairings(file, [], people, { joinAllowed: ['polls_surveys'] });
    expect(found).toContainEqual({ kind: 'row', where: 'polls_votes', userId: 41, detail: 'a row holds the answer and voter_id = 41' });
    expect(found).toContainEqual({ kind: 'schema', where: 'polls_votes', userId: 0, detail: 'a table holding answers has column voter_id' });
    expect(found.filter((f) => f.userId === 42)).toEqual([]);
  });

  it('reports a foreign key to users even under a neutral column name', () => {
    db.exec('create table polls_bad (id integer primary key, ref integer references users(id), body text)');
    db.prepare('insert into polls_bad (ref, body) values (null, ?)').run(barnabe.answer);
    expect(findPairings(file, [], people, { joinAllowed: ['polls_surveys'] })).toEqual([
      { kind: 'schema', where: 'polls_bad', userId: 0, detail: 'a table holding answers has foreign key to users' },
    ]);
  });

  it('reports an answer in a row with the person’s email or name (an audit entry, a notification)', () => {
    db.exec('create table audit_log (id integer primary key, details text)');
    db.prepare('insert into audit_log (details) values (?)').run(JSON.stringify({ who: barnabe.name, said: barnabe.answer }));
    const found = findPairings(file, [], people, { joinAllowed: ['polls_surveys'] });
    expect(found).toContainEqual({ kind: 'row', where: 'audit_log', userId: 42, detail: 'a row holds the answer and the email or name in details' });
    expect(found.some((f) => f.kind === 'file' && f.userId === 42)).toBe(true);
  });

  it('finds in the file bytes a pairing that no row shows any more (a deleted row, after the checkpoint)', () => {
    db.exec('create table polls_drafts (id integer primary key, body text)');
    db.prepare('insert into polls_drafts (body) values (?)').run(`${ottilie.email} wrote ${ottilie.answer}`);
    db.exec('delete from polls_drafts');
    const found = findPairings(file, [], people, { joinAllowed: ['polls_surveys'] });
    expect(found.filter((f) => f.kind !== 'file')).toEqual([]);
    expect(found).toContainEqual(expect.objectContaining({ kind: 'file', userId: 41 }));
  });

  it('reports any answer content in the logs, and the pairing when the same request names the person', () => {
    const logs = [
      { level: 30, reqId: 'req-1', req: { method: 'POST', url: `/polls/1/vote?answer=${barnabe.answer}` } },
      { level: 30, reqId: 'req-1', userId: 42, msg: 'request completed' },
      { level: 30, reqId: 'req-2', msg: `saved ${ottilie.answer}` },
      { level: 30, reqId: 'req-3', userId: 41 },
      { level: 30, msg: `${ottilie.email}: ${ottilie.answer}` },
    ];
    const found = findPairings(file, logs, people, { joinAllowed: ['polls_surveys'] });
    expect(found.map((f) => `${f.kind} ${f.where} ${f.userId}`).sort()).toEqual([
      'log log line 0 42',
      'log log line 4 41',
      'logAnswer log line 0 42',
      'logAnswer log line 2 41',
      'logAnswer log line 4 41',
    ]);
  });
});
