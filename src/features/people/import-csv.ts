// The CSV import of people, as pure functions: read the file (comma or semicolon, UTF-8 with or
// without BOM, a header row in English or French), then check every line against the file itself and
// against what the organisation already holds (passed in), with line numbers as in the file.
import { parse } from 'csv-parse/sync';
import { normaliseEmail, sortName } from '../../auth/users.js';

export const MAX_IMPORT_ROWS = 500;
export const MAX_IMPORT_BYTES = 1024 * 1024;
export const LIMITS = { name: 100, email: 254, jobTitle: 100, department: 100, site: 100 } as const;

export type Column = 'name' | 'email' | 'jobTitle' | 'department' | 'site' | 'managerEmail';

/** Header names understood, folded (accents, case, spaces, dashes and underscores ignored). */
const HEADERS: Record<string, Column> = {
  name: 'name', nom: 'name', fullname: 'name', nomcomplet: 'name',
  email: 'email', mail: 'email', courriel: 'email', adresseemail: 'email',
  jobtitle: 'jobTitle', job: 'jobTitle', title: 'jobTitle', poste: 'jobTitle', fonction: 'jobTitle', intitule: 'jobTitle', intituledeposte: 'jobTitle',
  department: 'department', departement: 'department', service: 'department',
  site: 'site', location: 'site', lieu: 'site',
  manageremail: 'managerEmail', manager: 'managerEmail', emaildumanager: 'managerEmail', responsable: 'managerEmail', emailduresponsable: 'managerEmail', courrielduresponsable: 'managerEmail',
};

const foldHeader = (text: string) => sortName(text).replace(/[\s\-_'’.]+/g, '');

export interface RawRow {
  /** The line of the file where the row starts (the header is line 1). */
  line: number;
  values: Record<Column, string>;
}

export type ReadProblem = 'empty' | 'unreadable' | 'notUtf8' | 'missingColumns' | 'tooManyRows' | 'tooLarge';

export type ReadResult = { ok: true; rows: RawRow[]; delimiter: ',' | ';' } | { ok: false; problem: ReadProblem };

/**
 * Reads the file's bytes. The delimiter is the one (comma or semicolon) the header row holds more
 * of. The name and email columns are required; the others are optional and may come in any order.
 */
export function readImportCsv(bytes: Buffer): ReadResult {
  if (bytes.length > MAX_IMPORT_BYTES) return { ok: false, problem: 'tooLarge' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'notUtf8' };
  }
  text = text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { ok: false, problem: 'empty' };
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const delimiter = (firstLine.split(';').length > firstLine.split(',').length ? ';' : ',') as ',' | ';';
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }) as unknown as typeof records;
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problem: 'empty' };
  const columns = header.record.map((name) => HEADERS[foldHeader(name)] ?? null);
  if (!columns.includes('name') || !columns.includes('email')) return { ok: false, problem: 'missingColumns' };
  if (body.length > MAX_IMPORT_ROWS) return { ok: false, problem: 'tooManyRows' };
  const rows: RawRow[] = [];
  for (const { record, info } of body) {
    // Blank in every cell (";;;"): an empty line to a spreadsheet, skipped.
    if (record.every((cell) => cell.trim() === '')) continue;
    const values: Record<Column, string> = { name: '', email: '', jobTitle: '', department: '', site: '', managerEmail: '' };
    columns.forEach((column, i) => {
      if (column && values[column] === '') values[column] = (record[i] ?? '').replace(/\s+/g, ' ').trim();
    });
    // info.lines is where the record ends; a quoted value may span lines.
    const inner = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    rows.push({ line: info.lines - inner, values });
  }
  return { ok: true, rows, delimiter };
}

export type RowError =
  | { code: 'nameMissing' }
  | { code: 'emailMissing' }
  | { code: 'badEmail' }
  | { code: 'tooLong'; column: Column; max: number }
  | { code: 'duplicate'; firstLine: number }
  | { code: 'alreadyMember' }
  | { code: 'alreadyInvited' }
  | { code: 'badManagerEmail' }
  | { code: 'managerUnknown' }
  | { code: 'ownManager' }
  | { code: 'managerCycle' };

export interface CheckedRow extends RawRow {
  errors: RowError[];
}

/** What the organisation holds that the rows are checked against. */
export interface ImportContext {
  /** Emails of every account (active or not), normalised. */
  members: ReadonlySet<string>;
  /** Emails with an invitation pending (open and not expired), normalised. */
  invited: ReadonlySet<string>;
  /** Department and site names, folded, to their ids. */
  departments: ReadonlyMap<string, number>;
  sites: ReadonlyMap<string, number>;
}

export interface CheckedImport {
  rows: CheckedRow[];
  /** Departments and sites the file names that do not exist yet: created on confirmation. */
  newDepartments: string[];
  newSites: string[];
  errorCount: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks every row: required name and email, lengths, a well-formed email, each address once in the
 * file, not already a member nor invited, a manager who is a member or is in the file (and not the
 * person), and no loop of managers within the file. Unknown departments and sites are not errors:
 * they are listed to be created when the admin confirms.
 */
export function checkImport(rows: readonly RawRow[], context: ImportContext): CheckedImport {
  const firstLineOf = new Map<string, number>();
  const checked: CheckedRow[] = rows.map((row) => ({ ...row, values: { ...row.values, email: normaliseEmail(row.values.email), managerEmail: normaliseEmail(row.values.managerEmail) } , errors: [] }));
  for (const row of checked) {
    const v = row.values;
    if (v.name === '') row.errors.push({ code: 'nameMissing' });
    if (v.email === '') row.errors.push({ code: 'emailMissing' });
    for (const column of ['name', 'email', 'jobTitle', 'department', 'site'] as const) {
      if ([...v[column]].length > LIMITS[column]) row.errors.push({ code: 'tooLong', column, max: LIMITS[column] });
    }
    if (v.email === '') continue;
    if (!EMAIL.test(v.email) || v.email.length > LIMITS.email) {
      row.errors.push({ code: 'badEmail' });
      continue;
    }
    const first = firstLineOf.get(v.email);
    if (first !== undefined) row.errors.push({ code: 'duplicate', firstLine: first });
    else firstLineOf.set(v.email, row.line);
    if (context.members.has(v.email)) row.errors.push({ code: 'alreadyMember' });
    else if (context.invited.has(v.email)) row.errors.push({ code: 'alreadyInvited' });
  }

  // Managers: a member, or someone in the file; never the person; no loop within the file.
  const managerInFile = new Map<string, string>();
  for (const row of checked) {
    const { email, managerEmail } = row.values;
    if (managerEmail === '') continue;
    if (!EMAIL.test(managerEmail)) row.errors.push({ code: 'badManagerEmail' });
    else if (managerEmail === email) row.errors.push({ code: 'ownManager' });
    else if (!context.members.has(managerEmail) && !firstLineOf.has(managerEmail)) row.errors.push({ code: 'managerUnknown' });
    else if (firstLineOf.has(managerEmail) && firstLineOf.get(email) === row.line) managerInFile.set(email, managerEmail);
  }
  for (const row of checked) {
    const email = row.values.email;
    if (!managerInFile.has(email) || firstLineOf.get(email) !== row.line) continue;
    const seen = new Set<string>([email]);
    let current = managerInFile.get(email);
    while (current !== undefined) {
      if (current === email) {
        row.errors.push({ code: 'managerCycle' });
        break;
      }
      if (seen.has(current)) break;
      seen.add(current);
      current = managerInFile.get(current);
    }
  }

  const newNames = (column: 'department' | 'site', known: ReadonlyMap<string, number>) => {
    const found = new Map<string, string>();
    for (const row of checked) {
      const name = row.values[column];
      if (name === '' || [...name].length > LIMITS[column]) continue;
      const key = sortName(name);
      if (!known.has(key) && !found.has(key)) found.set(key, name);
    }
    return [...found.values()];
  };
  return {
    rows: checked,
    newDepartments: newNames('department', context.departments),
    newSites: newNames('site', context.sites),
    errorCount: checked.reduce((n, row) => n + row.errors.length, 0),
  };
}
