// The people feature's pure logic: manager loops, the org chart's tree, extra field values, tags, and
// the CSV import's reading and checks.
import { describe, expect, it } from 'vitest';
import { checkFieldValue, isDate, parseOptions, safeLink } from '../../src/features/people/fields.js';
import { checkImport, readImportCsv, type ImportContext, type RawRow } from '../../src/features/people/import-csv.js';
import { buildOrgTree, wouldCreateCycle } from '../../src/features/people/org.js';
import { lastFragment, parseTags } from '../../src/features/people/tags.js';

describe('wouldCreateCycle', () => {
  const links = new Map<number, number | null>([[2, 1], [3, 2], [4, 3], [6, 5], [5, 6]]);
  it('refuses being one\'s own manager and closing a chain into a loop', () => {
    expect(wouldCreateCycle(links, 1, 1)).toBe(true);
    expect(wouldCreateCycle(links, 1, 4)).toBe(true);
    expect(wouldCreateCycle(links, 2, 3)).toBe(true);
  });
  it('accepts links that close nothing, even next to a loop already in the data', () => {
    expect(wouldCreateCycle(links, 4, 1)).toBe(false);
    expect(wouldCreateCycle(links, 1, null)).toBe(false);
    expect(wouldCreateCycle(links, 7, 5)).toBe(false);
    expect(wouldCreateCycle(new Map(), 1, 2)).toBe(false);
  });
});

describe('buildOrgTree', () => {
  const person = (id: number, manager: number | null, name = `P${id}`) => ({ id, name, job_title: null, manager_id: manager });
  it('nests reports under managers in the given order, counts teams, puts orphans at the top', () => {
    const tree = buildOrgTree([person(1, null), person(2, 1), person(3, 1), person(4, 2), person(5, 99)]);
    expect(tree.map((n) => n.id)).toEqual([1, 5]);
    expect(tree[0]!.reports.map((n) => n.id)).toEqual([2, 3]);
    expect(tree[0]!.reports[0]!.reports.map((n) => n.id)).toEqual([4]);
    expect(tree[0]!.teamSize).toBe(3);
    expect(tree[1]!.teamSize).toBe(0);
  });
  it('places everyone exactly once when the data holds loops, or a self-manager', () => {
    const tree = buildOrgTree([person(1, 2), person(2, 1), person(3, 1), person(4, 4)]);
    const seen: number[] = [];
    const walk = (nodes: ReturnType<typeof buildOrgTree>) => nodes.forEach((n) => (seen.push(n.id), walk(n.reports)));
    walk(tree);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    expect(tree.map((n) => n.id)).toEqual([4, 1]);
  });
  it('handles a very deep chain without overflowing the stack', () => {
    const people = Array.from({ length: 20_000 }, (_, i) => person(i + 1, i === 0 ? null : i));
    const tree = buildOrgTree(people);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.teamSize).toBe(19_999);
  });
});

describe('extra field values', () => {
  it('checks dates, links, choices and text length', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
    expect(isDate('2024-13-01')).toBe(false);
    expect(isDate('24-01-01')).toBe(false);
    expect(safeLink('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(safeLink('HTTP://EXAMPLE.ORG')).toBe('http://example.org/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://example.org', '//example.org', 'example.org', 'http://', 'mailto:a@b.c']) expect(safeLink(bad), bad).toBe(null);
    expect(checkFieldValue({ type: 'choice', options: ['A', 'B'] }, 'B')).toEqual({ ok: true, value: 'B' });
    expect(checkFieldValue({ type: 'choice', options: ['A', 'B'] }, 'b')).toEqual({ ok: false, problem: 'choice' });
    expect(checkFieldValue({ type: 'text', options: [] }, '😀'.repeat(200))).toEqual({ ok: true, value: '😀'.repeat(200) });
    expect(checkFieldValue({ type: 'text', options: [] }, 'x'.repeat(201))).toEqual({ ok: false, problem: 'tooLong' });
    expect(checkFieldValue({ type: 'link', options: [] }, `https://example.org/${'x'.repeat(500)}`)).toEqual({ ok: false, problem: 'tooLong' });
  });
  it('reads options one per line, without blanks or duplicates', () => {
    expect(parseOptions(' Red \n\nBlue\r\nRed\n')).toEqual(['Red', 'Blue']);
    expect(parseOptions('x'.repeat(61))).toBe(null);
    expect(parseOptions(Array.from({ length: 31 }, (_, i) => `o${i}`).join('\n'))).toBe(null);
  });
});

describe('tags', () => {
  it('splits, trims, folds duplicates and checks limits', () => {
    expect(parseTags('Excel, excel ,  Gestion  de projet,, ÉCOLE; ecole', { max: 20, maxLength: 50 })).toEqual({ ok: true, tags: ['Excel', 'Gestion de projet', 'ÉCOLE'] });
    expect(parseTags('a,b,c', { max: 2, maxLength: 50 })).toEqual({ ok: false, problem: 'tooMany' });
    expect(parseTags('abcdef', { max: 2, maxLength: 5 })).toEqual({ ok: false, problem: 'tooLong' });
    expect(lastFragment('Excel, Ges')).toEqual({ before: 'Excel,', fragment: 'Ges' });
    expect(lastFragment('Ges')).toEqual({ before: '', fragment: 'Ges' });
  });
});

describe('reading the CSV', () => {
  it('finds the delimiter, the columns in any order, and the line numbers as in the file', () => {
    const read = readImportCsv(Buffer.from('\ufeffE-mail;Nom;Service\r\n\r\nA@example.com;Ann;Ventes\r\n"x\ny";b@example.com;\r\nc@example.com;"Cé ; cile";\r\n'));
    expect(read).toMatchObject({ ok: true, delimiter: ';' });
    if (!read.ok) return;
    expect(read.rows.map((r) => [r.line, r.values.email, r.values.name, r.values.department])).toEqual([
      [3, 'A@example.com', 'Ann', 'Ventes'],
      [4, 'x y', 'b@example.com', ''],
      [6, 'c@example.com', 'Cé ; cile', ''],
    ]);
  });
  it('refuses what cannot be used', () => {
    expect(readImportCsv(Buffer.from(''))).toEqual({ ok: false, problem: 'empty' });
    expect(readImportCsv(Buffer.from('a,b\n1,2'))).toEqual({ ok: false, problem: 'missingColumns' });
    expect(readImportCsv(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ ok: false, problem: 'notUtf8' });
    expect(readImportCsv(Buffer.alloc(1024 * 1024 + 1, 0x61))).toEqual({ ok: false, problem: 'tooLarge' });
  });
});

describe('checking the rows', () => {
  const context: ImportContext = {
    members: new Set(['boss@example.com', 'member@example.com']),
    invited: new Set(['invited@example.com']),
    departments: new Map([['finance', 1]]),
    sites: new Map(),
  };
  const row = (line: number, values: Partial<RawRow['values']>): RawRow => ({ line, values: { name: 'N', email: '', jobTitle: '', department: '', site: '', managerEmail: '', ...values } });
  it('accepts good rows, and lists the departments and sites to create once each', () => {
    const checked = checkImport(
      [row(2, { email: 'A@Example.com', department: 'FINANCE', site: 'Lyon', managerEmail: 'boss@example.com' }), row(3, { email: 'b@example.com', site: 'lyon', department: 'Ventes', managerEmail: 'a@example.com' })],
      context,
    );
    expect(checked.errorCount).toBe(0);
    expect(checked.rows[0]!.values.email).toBe('a@example.com');
    expect(checked.newDepartments).toEqual(['Ventes']);
    expect(checked.newSites).toEqual(['Lyon']);
  });
  it('finds loops of any length within the file', () => {
    const checked = checkImport(
      [row(2, { email: 'a@x.io', managerEmail: 'b@x.io' }), row(3, { email: 'b@x.io', managerEmail: 'c@x.io' }), row(4, { email: 'c@x.io', managerEmail: 'a@x.io' }), row(5, { email: 'd@x.io', managerEmail: 'a@x.io' })],
      context,
    );
    expect(checked.rows.map((r) => r.errors.map((e) => e.code))).toEqual([['managerCycle'], ['managerCycle'], ['managerCycle'], []]);
  });
  it('reports members, invitations, duplicates and unknown managers', () => {
    const checked = checkImport(
      [row(2, { email: 'member@example.com' }), row(3, { email: 'invited@example.com' }), row(4, { email: 'x@x.io' }), row(5, { email: 'X@x.io' }), row(6, { email: 'y@x.io', managerEmail: 'who@x.io' })],
      context,
    );
    expect(checked.rows.map((r) => r.errors)).toEqual([[{ code: 'alreadyMember' }], [{ code: 'alreadyInvited' }], [], [{ code: 'duplicate', firstLine: 4 }], [{ code: 'managerUnknown' }]]);
  });
});
