// A table read from a user's file: CSV (RFC 4180: a header row, fields quoted with ", a quote
// inside doubled, CRLF or LF line ends) or JSON lines (one object per line). Cells stay as they
// came (CSV's are strings); what a column means is the reader's business.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError, InvalidOptionError, describeValue } from '../../src/errors.js';

/** A cell as it came: CSV gives strings (empty for a blank field), JSON lines any JSON value. */
export type Cell = string | number | boolean | null | undefined;

export interface Table {
  readonly columns: readonly string[];
  /** One array per data row, a cell per column (undefined where a JSON line lacks the key). */
  readonly rows: readonly (readonly Cell[])[];
}

export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** The format a file's extension names: .csv, .tsv, .jsonl or .ndjson; null for any other. */
export function tableFormatOf(path: string): TableFormat | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return null;
}

/** Reads the table in the file at `path`, in `format` or the one its extension names. */
export function readTable(path: string, format: TableFormat | null = tableFormatOf(path)): Table {
  if (format === null) {
    throw new InvalidOptionError(
      `readTable: expected a .csv, .tsv, .jsonl or .ndjson file (or option "format"), but got ${JSON.stringify(path)}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError(`readTable: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseTable(text, format, path);
}

/** Parses `text` in `format`; `where` names the source in errors. */
export function parseTable(text: string, format: TableFormat, where = 'the data'): Table {
  // A byte-order mark is not part of the first column's name.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'jsonl' ? parseJsonLines(body, where) : parseDelimited(body, format === 'tsv' ? '\t' : ',', where);
}

function parseDelimited(text: string, delimiter: string, where: string): Table {
  const records: string[][] = [];
  const lines: number[] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    // A blank line is no record (a file's trailing newline, a gap between rows).
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      lines.push(start);
    }
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      line += 1;
      start = line;
    } else field += c;
    i += 1;
  }
  if (quoted) throw new DataError(`${where}: line ${start}: expected a closing quote, but the file ended`);
  endRecord();
  if (records.length === 0) throw new DataError(`${where}: expected a header row, but the file is empty`);
  const columns = records[0]!.map((name) => name.trim());
  checkColumns(columns, where);
  for (let r = 1; r < records.length; r++) {
    if (records[r]!.length !== columns.length) {
      throw new DataError(
        `${where}: line ${lines[r]}: expected ${columns.length} fields as in the header, but got ${records[r]!.length}`,
      );
    }
  }
  return { columns, rows: records.slice(1) };
}

function parseJsonLines(text: string, where: string): Table {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const objects: Record<string, unknown>[] = [];
  const lines = text.split(/\r?\n/);
  for (let l = 0; l < lines.length; l++) {
    const source = lines[l]!.trim();
    if (source === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new DataError(`${where}: line ${l + 1}: expected a JSON object, but ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new DataError(`${where}: line ${l + 1}: expected a JSON object, but got ${describeValue(value)}`);
    for (const [key, cell] of Object.entries(value)) {
      if (cell !== null && typeof cell === 'object') {
        throw new DataError(
          `${where}: line ${l + 1}: expected numbers, strings, booleans or null, but "${key}" is ` +
            describeValue(cell),
        );
      }
      if (!index.has(key)) {
        index.set(key, columns.length);
        columns.push(key);
      }
    }
    objects.push(value as Record<string, unknown>);
  }
  if (objects.length === 0) throw new DataError(`${where}: expected JSON objects, one per line, but the file is empty`);
  const rows = objects.map((o) => columns.map((key) => o[key] as Cell));
  return { columns, rows };
}

function checkColumns(columns: readonly string[], where: string): void {
  const blank = columns.indexOf('');
  if (blank >= 0) throw new DataError(`${where}: expected a name for every column, but column ${blank + 1} has none`);
  const repeated = columns.find((name, i) => columns.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new DataError(`${where}: expected distinct column names, but got "${repeated}" twice`);
}
