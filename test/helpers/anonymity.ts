// The "unlinkable storage" proof for anonymous answers (docs/privacy.md), for the anonymity tests of
// polls, surveys and any later plugin. After the anonymous answers of known people, it looks
// EVERYWHERE a pairing could hide and reports each place where a person's identity and their answer
// sit together:
//
// - `row`: a row of any table (plugin tables, audit log, notifications, jobs, search index...)
//   holding the answer text AND the person's id in a user-ish column (user_id, author_id, actor_id,
//   voter_id...), or their email or name in any text column;
// - `schema`: a table holding an answer that has a user-ish column, or a foreign key to `users`
//   (anonymous answers must have no column and no foreign key leading to a person), or a foreign
//   key to another table that has one (a join path), unless that table is listed in `joinAllowed`
//   (for example the poll or survey itself, whose author is not the respondent);
// - `file`: the raw bytes of the database file (after `PRAGMA wal_checkpoint(TRUNCATE)`, plus any
//   WAL left) where the answer text and the person's email or name are on the same page: this finds
//   what rows no longer show (deleted rows left in free pages, old index entries, FTS shadow tables);
// - `log`: a captured log line holding the answer text and an identifier of the person, or holding
//   the answer while another line of the same request (same reqId) holds an identifier;
// - `logAnswer`: a log line holding the answer text at all (logs never contain answer content for
//   anonymous items, linked or not).
//
// Use distinctive answer texts and names (e.g. 'answer-7f3a Zanzibar' and 'Ottilie Quenneville'):
// the search is by substring, so a common word would match unrelated rows. For a choice vote
// stored as an option id, pass the option's label as `answer` and rely on the `schema` check (the
// vote row holds no text); `answerLocations` shows where an answer was found, so that a test can
// first prove the answers were stored at all (a search for something never stored cannot fail).
//
// @example
// await app.close(); // or keep it open: a second connection is fine in WAL mode
// expect(findPairings(path.join(dataDir, 'hameau.db'), t.logs, voters.map((v) => ({ ...v, answer: 'answer-…' })))).toEqual([]);
import Database from 'better-sqlite3';
import fs from 'node:fs';

export interface PairingSubject {
  userId: number;
  email: string;
  name: string;
  answer: string;
}

export interface Pairing {
  kind: 'row' | 'schema' | 'file' | 'log' | 'logAnswer';
  /** The table (row, schema), "file offset N" (file) or "log line N" (log, logAnswer). */
  where: string;
  /** The person concerned (0 for a schema problem, which concerns everyone). */
  userId: number;
  detail: string;
}

export interface FindOptions {
  /** Tables an answer table may reference although they have a user-ish column (the poll or survey itself, `content`). */
  joinAllowed?: readonly string[];
}

/** Column names that hold a person's id. */
const USER_COLUMN = /(^|_)(user|users|author|voter|respondent|member|person|people|actor|owner|creator|sender|recipient|reporter|participant)(_?id)?$/i;
/** Log keys that identify a person (in a log line, as JSON). */
const USER_LOG_KEY = /^(user|userid|user_id|actor|actorid|actor_id|author|authorid|author_id|voter|voterid|email|name)$/i;

type Row = Record<string, unknown>;

function tablesOf(db: Database.Database): string[] {
  return (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as Array<{ name: string }>).map((r) => r.name);
}

function rowsOf(db: Database.Database, table: string): Row[] {
  try {
    return db.prepare(`select * from "${table.replace(/"/g, '""')}"`).all() as Row[];
  } catch {
    return []; // A virtual table whose module is not loaded here: its shadow tables are read instead.
  }
}

function columnsOf(db: Database.Database, table: string): string[] {
  try {
    return (db.prepare(`pragma table_info("${table.replace(/"/g, '""')}")`).all() as Array<{ name: string }>).map((c) => c.name);
  } catch {
    return [];
  }
}

function foreignTables(db: Database.Database, table: string): string[] {
  try {
    return (db.prepare(`pragma foreign_key_list("${table.replace(/"/g, '""')}")`).all() as Array<{ table: string }>).map((f) => f.table);
  } catch {
    return [];
  }
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return '';
}

/** The problems with a table that holds answers: user-ish columns, foreign keys to users or to a table with a user-ish column. */
function schemaProblems(db: Database.Database, table: string, joinAllowed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const column of columnsOf(db, table)) if (USER_COLUMN.test(column)) problems.push(`column ${column}`);
  for (const target of foreignTables(db, table)) {
    if (target === 'users') problems.push('foreign key to users');
    else if (!joinAllowed.has(target)) {
      const userish = columnsOf(db, target).filter((c) => USER_COLUMN.test(c));
      const toUsers = foreignTables(db, target).includes('users');
      if (userish.length > 0 || toUsers) problems.push(`foreign key to ${target} (${toUsers ? 'which references users' : `which has ${userish.join(', ')}`})`);
    }
  }
  return problems;
}

/** Where each answer text is found: tables (row counts), database file hits, log lines. */
export function answerLocations(dbFile: string, logs: readonly unknown[], answers: readonly string[]) {
  const db = new Database(dbFile);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fileBytes(dbFile);
    return answers.map((answer) => {
      const tables: Record<string, number> = {};
      for (const table of tablesOf(db)) {
        const n = rowsOf(db, table).filter((row) => Object.values(row).some((v) => text(v).includes(answer))).length;
        if (n > 0) tables[table] = n;
      }
      return {
        answer,
        tables,
        fileHits: indexesOf(bytes, Buffer.from(answer, 'utf8')).length,
        logLines: logs.filter((line) => JSON.stringify(line).includes(answer)).length,
      };
    });
  } finally {
    db.close();
  }
}

function fileBytes(dbFile: string): Buffer {
  const parts = [fs.readFileSync(dbFile)];
  if (fs.existsSync(`${dbFile}-wal`)) parts.push(fs.readFileSync(`${dbFile}-wal`));
  return Buffer.concat(parts);
}

function indexesOf(haystack: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  if (needle.length === 0) return found;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** Does a parsed log line name this person (a user-ish key holding their id, email or name, or their email or name anywhere)? */
function logNames(line: unknown, person: PairingSubject): boolean {
  const json = JSON.stringify(line) ?? '';
  if (json.includes(person.email) || json.includes(person.name)) return true;
  let found = false;
  const visit = (value: unknown) => {
    if (found || typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (USER_LOG_KEY.test(key) && (inner === person.userId || inner === String(person.userId))) found = true;
      else visit(inner);
    }
  };
  visit(line);
  return found;
}

/**
 * Every place where a person's identity and their anonymous answer are paired, in the database
 * (rows, schema, raw file bytes) and in the captured logs. An empty array: no pairing found.
 */
export function findPairings(dbFile: string, logs: readonly unknown[], pairs: readonly PairingSubject[], options: FindOptions = {}): Pairing[] {
  const found: Pairing[] = [];
  const joinAllowed = new Set(options.joinAllowed ?? []);
  const db = new Database(dbFile);
  let pageSize = 4096;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    pageSize = Number(db.pragma('page_size', { simple: true })) || 4096;

    // Rows, and the schema of the tables answers are in.
    const answerTables = new Set<string>();
    for (const table of tablesOf(db)) {
      const rows = rowsOf(db, table);
      for (const row of rows) {
        const entries = Object.entries(row);
        for (const person of pairs) {
          if (!entries.some(([, v]) => text(v).includes(person.answer))) continue;
          answerTables.add(table);
          const byId = entries.filter(([column, v]) => USER_COLUMN.test(column) && (v === person.userId || v === String(person.userId) || v === BigInt(person.userId)));
          const byText = entries.filter(([, v]) => {
            const s = text(v);
            return s.includes(person.email) || s.includes(person.name);
          });
          if (byId.length + byText.length > 0) {
            found.push({
              kind: 'row',
              where: table,
              userId: person.userId,
              detail: `a row holds the answer and ${[...byId.map(([c]) => `${c} = ${person.userId}`), ...byText.map(([c]) => `the email or name in ${c}`)].join(', ')}`,
            });
          }
        }
      }
    }
    for (const table of answerTables) {
      for (const problem of schemaProblems(db, table, joinAllowed)) found.push({ kind: 'schema', where: table, userId: 0, detail: `a table holding answers has ${problem}` });
    }
  } finally {
    db.close();
  }

  // The raw bytes: answer and identity on the same page.
  const bytes = fileBytes(dbFile);
  for (const person of pairs) {
    const identity = [person.email, person.name].filter((s) => s !== '').map((s) => Buffer.from(s, 'utf8'));
    const reported = new Set<number>();
    for (const at of indexesOf(bytes, Buffer.from(person.answer, 'utf8'))) {
      const page = Math.floor(at / pageSize);
      if (reported.has(page)) continue;
      const slice = bytes.subarray(page * pageSize, (page + 1) * pageSize);
      if (identity.some((id) => slice.includes(id))) {
        reported.add(page);
        found.push({ kind: 'file', where: `file offset ${at}`, userId: person.userId, detail: `page ${page} holds the answer and the email or name` });
      }
    }
  }

  // The logs: the answer at all, with an identity on the same line or on another line of the same request.
  const reqIdOf = (line: unknown) => (typeof line === 'object' && line !== null && 'reqId' in line ? String((line as Row).reqId) : null);
  for (const person of pairs) {
    logs.forEach((line, index) => {
      const json = JSON.stringify(line) ?? '';
      if (!json.includes(person.answer)) return;
      found.push({ kind: 'logAnswer', where: `log line ${index}`, userId: person.userId, detail: 'a log line holds answer content' });
      const reqId = reqIdOf(line);
      const sameRequest = reqId === null ? [line] : logs.filter((other) => other === line || reqIdOf(other) === reqId);
      if (sameRequest.some((other) => logNames(other, person))) {
        found.push({ kind: 'log', where: `log line ${index}`, userId: person.userId, detail: 'the answer and an identifier of the person are in the same log line or request' });
      }
    });
  }
  return found;
}
