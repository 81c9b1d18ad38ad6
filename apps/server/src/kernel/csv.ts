/**
 * CSV for downloads (exam results, session data) (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break, quotes doubled), safe to open in a spreadsheet: a text cell beginning with
 * `=`, `+`, `-`, `@` (or a tab or carriage return, which some spreadsheets skip before those) is
 * prefixed with a single quote so it is never read as a formula.
 */
export type CsvValue = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvOf(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
