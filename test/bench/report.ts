// Output of every bench: an aligned table on stdout and, with --json, one JSON object as the
// last stdout line; results are also written to bench-results/<bench>.json.

import { mkdirSync, writeFileSync } from 'node:fs';

export type Row = Record<string, string | number | boolean | null>;

function cell(value: Row[string]): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 4);
  return value == null ? '—' : String(value);
}

/** Prints `rows` as a table with the given column order. */
export function printTable(title: string, rows: readonly Row[], columns: readonly string[]): void {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c] ?? null).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line([...columns]));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c] ?? null))));
}

/** Writes bench-results/<bench>.json and, when `json` is set, prints the object last. */
export function finish(bench: string, payload: Record<string, unknown>, json: boolean): void {
  const body = { bench, ...payload };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(`bench-results/${bench}.json`, `${JSON.stringify(body, null, 2)}\n`);
  if (json) console.log(JSON.stringify(body));
  else console.log(`\nwritten to bench-results/${bench}.json`);
}

/** Progress lines go to stderr so that stdout stays a table (or one JSON line). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
