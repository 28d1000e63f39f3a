// The CSV export of aggregated results. Every cell comes from a `Shown` result, so an export can
// never say more than the results page: below k a row says "too few answers", never a count, and
// raw anonymous answers cannot be exported because this function only takes results.
import type { Translate } from '../i18n/index.js';
import type { Hidden, Shown } from './index.js';

/** Cells starting with these are formulas to a spreadsheet (tab and CR start DDE tricks too). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell, quoted; text that a spreadsheet would run as a formula made inert (numbers kept as numbers). */
export function csvCell(value: string): string {
  const inert = FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return `"${inert.replace(/"/g, '""')}"`;
}

/** A number for a spreadsheet: at most one decimal, "." as separator. */
function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

type Line = [item: string, count: string, percent: string, value: string];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The lines a shown value gives, by its shape (the shapes the functions of index.ts return). */
function linesOf(value: unknown, t: Translate): Line[] {
  if (Array.isArray(value)) {
    return value.map((entry): Line => {
      if (typeof entry === 'string') return ['', '', '', entry];
      if (isRecord(entry) && typeof entry.count === 'number') {
        const item = 'option' in entry ? String(entry.option) : String(entry.value);
        return [item, num(entry.count), typeof entry.percent === 'number' ? num(entry.percent) : '', ''];
      }
      return ['', '', '', String(entry)];
    });
  }
  if (isRecord(value)) {
    if (typeof value.mean === 'number' && Array.isArray(value.distribution)) {
      return [[t('privacy.csv.mean'), '', '', num(value.mean)], ...linesOf(value.distribution, t)];
    }
    if (typeof value.score === 'number') {
      const total = Number(value.promoters) + Number(value.passives) + Number(value.detractors);
      const group = (key: 'promoters' | 'passives' | 'detractors', label: string): Line => [
        label,
        num(Number(value[key])),
        num(total > 0 ? (Number(value[key]) / total) * 100 : 0),
        '',
      ];
      return [
        group('promoters', t('privacy.csv.promoters')),
        group('passives', t('privacy.csv.passives')),
        group('detractors', t('privacy.csv.detractors')),
        [t('privacy.csv.score'), '', '', num(value.score)],
      ];
    }
    return Object.entries(value).map(([key, v]): Line => [key, '', '', typeof v === 'number' ? num(v) : String(v)]);
  }
  return [['', '', '', typeof value === 'number' ? num(value) : String(value)]];
}

/** CSV of aggregated results through the same rules (never raw anonymous answers). */
export function resultsCsv(
  rows: ReadonlyArray<{ question: string; label: string; result: Shown<unknown> | Hidden }>,
  t: Translate,
): string {
  const header = [
    t('privacy.csv.question'),
    t('privacy.csv.group'),
    t('privacy.csv.respondents'),
    t('privacy.csv.item'),
    t('privacy.csv.count'),
    t('privacy.csv.percent'),
    t('privacy.csv.value'),
  ];
  const stateMessage = { tooFew: t('privacy.result.tooFew'), none: t('privacy.result.none'), hidden: t('privacy.result.hidden') };
  const lines: string[][] = [header];
  for (const row of rows) {
    const { result } = row;
    if (result.state !== 'shown') {
      lines.push([row.question, row.label, '', '', '', '', stateMessage[result.state]]);
      continue;
    }
    for (const [item, count, percent, value] of linesOf(result.value, t)) {
      lines.push([row.question, row.label, String(result.respondents), item, count, percent, value]);
    }
  }
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
