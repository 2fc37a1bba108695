// Output of every bench: an aligned table on stdout and, with --json, one JSON object as the
// last stdout line; results are also written to bench-results/<bench>.json. Figures measured on
// several seeds are summarised as their mean and range.

import { mkdirSync, writeFileSync } from 'node:fs';

/** A table cell, or (JSON only) per-seed values and the step sizes a sweep tried. */
export type Row = Record<
  string,
  string | number | boolean | null | readonly number[] | readonly Readonly<Record<string, number>>[]
>;

function number(value: number): string {
  if (Number.isInteger(value)) return String(value);
  // Small figures (MSEs near 1e-3) keep three significant digits rather than four decimals.
  if (value !== 0 && Math.abs(value) < 0.01) return value.toPrecision(3);
  return value.toFixed(Math.abs(value) >= 100 ? 1 : 4);
}

function cell(value: Row[string] | undefined): string {
  if (typeof value === 'number') return number(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? number(v) : JSON.stringify(v))).join(' ');
  return value == null ? '—' : String(value);
}

/** The mean, smallest and largest of `values` (NaN for none). */
export function summarize(values: readonly number[]): { mean: number; min: number; max: number } {
  if (values.length === 0) return { mean: NaN, min: NaN, max: NaN };
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** "mean (min–max)", or the one value when there is one seed. */
export function meanRange(values: readonly number[]): string {
  const { mean, min, max } = summarize(values);
  return values.length === 1 ? number(mean) : `${number(mean)} (${number(min)}–${number(max)})`;
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
