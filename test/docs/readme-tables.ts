// Reads the README's tables so that tests can hold its claims against the code: a section by its
// heading, the tables in it as rows of cells, and the literal in a cell's first code span.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function readme(): string {
  return readFileSync(join(ROOT, 'README.md'), 'utf8');
}

/** The text under the heading `heading` (e.g. '## Agent options'), up to the next heading of its level or above. */
export function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README: expected a heading "${heading}"`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Every table of `text` whose header row's first cell is `firstHeader`: header cells, then one array per row. */
export function table(text: string, firstHeader: string): { header: string[]; rows: string[][] } {
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(' | ')
      .map((c) => c.trim());
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|') && cells(line)[0] === firstHeader);
  if (start < 0) throw new Error(`README: expected a table whose first column is "${firstHeader}"`);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
  return { header: cells(lines[start]!), rows };
}

/** The text of a cell's first code span (`...`), without the backticks. */
export function code(cell: string): string {
  const match = /`([^`]+)`/.exec(cell);
  if (!match) throw new Error(`README: expected a code span in the cell "${cell}"`);
  return match[1]!;
}

/** A JavaScript literal as the README writes it (single quotes, bare keys, 5e-4) parsed as data. */
export function literal(text: string): unknown {
  const json = text
    .replace(/'([^']*)'/g, (_, s: string) => JSON.stringify(s))
    .replace(/([{,]\s*)([A-Za-z_]\w*)\s*:/g, '$1"$2":');
  return JSON.parse(json);
}
