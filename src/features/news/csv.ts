// CSV for spreadsheet applications: every cell quoted, a byte order mark so that Excel reads UTF-8,
// CRLF line ends, and cells that a spreadsheet would take for a formula made inert.

/** Cells starting with these are formulas to a spreadsheet (tab and CR start DDE tricks too). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: a leading formula character gets a quote in front, then the value is CSV-quoted. */
export function csvCell(value: string): string {
  const inert = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${inert.replace(/"/g, '""')}"`;
}

/**
 * A whole CSV document from rows of cells, header first.
 *
 * @example
 * toCsv([['Name', 'Email'], ['=cmd', 'a@example.com']]) // '\uFEFF"Name","Email"\r\n"\'=cmd","a@example.com"\r\n'
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
