// DataStream-v0: a user's own data as a stream, one row per step: chosen numeric columns as a
// box (standardised online, each row by the statistics of the rows before it), optional
// time-of-day and day-of-week features from a timestamp column, optional label columns as
// discrete side modalities (missing where the cell is empty). One episode is one pass.

import type {
  Environment,
  EnvironmentSpec,
  Info,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { box, dict, discrete } from '../src/environment/space.js';
import type { BoxSpace, DiscreteSpace, Space, SpaceValue } from '../src/environment/space.js';
import { DataError, InvalidOptionError, StateError, describeValue } from '../src/errors.js';
import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from '../src/checkpoint/state-checks.js';
import { RunningStandardizer, standardizerSettings } from '../src/wrappers/running-standardizer.js';
import { type Cell, type Table, type TableFormat, parseTable, readTable } from './datasets/table-file.js';
import { booleanOption, environmentOptions } from './environment-options.js';

export interface DataStreamOptions {
  /** A .csv, .tsv, .jsonl or .ndjson file. One of `path` and `text` is required. */
  path?: string | null;
  /** The file's contents instead of a path (in `format`, default CSV). */
  text?: string | null;
  /** 'csv', 'tsv' or 'jsonl'. Default: from the path's extension, or 'csv' for `text`. */
  format?: TableFormat | null;
  /** The numeric columns of the observation box, in order. Default: every column of numbers but the others named. */
  columns?: readonly string[] | null;
  /** A column of times: ISO 8601 (UTC unless a zone is given) or Unix seconds (milliseconds from 1e11 up). */
  timestamp?: string | null;
  /** Append sin and cos of the time of day and of the day of the week (4 values in [-1, 1]). Default false. */
  timeFeatures?: boolean;
  /** Columns of labels, each a discrete side modality (its values sorted), missing where the cell is empty. */
  labels?: readonly string[];
  /** Standardise the columns online (each row by the statistics of the rows before it). Default true. */
  normalize?: boolean;
  /** The spread floor of the standardisation, in the columns' units. Default 0 (1e-8 is added under the root). */
  minStd?: number;
  /** The standardised values are clipped to [-clip, clip]. Default 5. */
  clip?: number;
  /** An empty or missing number: 'error', or 'previous' (the column's last value). Default 'error'. */
  missing?: 'error' | 'previous';
}

export const DATA_STREAM_DEFAULTS: Readonly<Required<DataStreamOptions>> = Object.freeze({
  path: null,
  text: null,
  format: null,
  columns: null,
  timestamp: null,
  timeFeatures: false,
  labels: Object.freeze([]) as readonly string[],
  normalize: true,
  minStd: 0,
  clip: 5,
  missing: 'error',
});

/** The key of the numeric columns in a dict observation (the key PredictiveAgent reads by default). */
export const DATA_VALUES_KEY = 'observation';
const TIME_FEATURES = 4;
const DAY_MS = 86_400_000;

const WHERE = 'DataStream';

/**
 * Observation: a box of the columns (plus the four time features when asked), or, with labels, a
 * dict of that box under "observation" and one discrete space per label column. `info` per step:
 * `row` (0-based data row), `raw` (the columns' values as read), `timestamp` (as in the file) and,
 * when normalising, `scale`: the mean and spread this row was standardised with, so a prediction
 * maps back to the columns' units as `mean + value · spread`.
 */
export class DataStream implements Environment<SpaceValue> {
  readonly observationSpace: Space;
  readonly actionSpace: null = null;
  spec?: EnvironmentSpec;
  readonly columns: readonly string[];
  readonly labels: readonly string[];
  readonly timestamp: string | null;
  readonly timeFeatures: boolean;
  readonly normalize: boolean;
  readonly missing: 'error' | 'previous';
  /** The number of data rows: one episode's observations. */
  readonly length: number;
  private readonly values: Float64Array;
  private readonly times: Float64Array | null;
  private readonly stamps: readonly Cell[] | null;
  private readonly labelValues: readonly Int32Array[];
  private readonly standardizer: RunningStandardizer;
  /** The statistics a seeded reset restarts from. */
  private initial: { count: number; mean: number[]; m2: number[] };
  private row = -1;
  private ended = false;

  constructor(options: DataStreamOptions = {}) {
    const o = environmentOptions(WHERE, options, DATA_STREAM_DEFAULTS);
    const table = openTable(o.path, o.text, o.format);
    this.timestamp = optionalColumn(table, 'timestamp', o.timestamp);
    this.labels = columnList(table, 'labels', o.labels ?? []);
    this.timeFeatures = booleanOption(WHERE, 'timeFeatures', o.timeFeatures);
    if (this.timeFeatures && this.timestamp === null)
      throw new InvalidOptionError(`${WHERE}: option "timeFeatures" needs option "timestamp", the column of times`);
    this.normalize = booleanOption(WHERE, 'normalize', o.normalize);
    if (o.missing !== 'error' && o.missing !== 'previous') {
      throw new InvalidOptionError(
        `${WHERE}: expected option "missing" to be "error" or "previous", but got ${describeValue(o.missing)}`,
      );
    }
    this.missing = o.missing;
    const others = new Set([...this.labels, ...(this.timestamp === null ? [] : [this.timestamp])]);
    this.columns =
      o.columns === null ? numericColumns(table, others) : columnList(table, 'columns', o.columns, { nonEmpty: true });
    const clash = this.columns.find((c) => others.has(c));
    if (clash !== undefined)
      throw new InvalidOptionError(`${WHERE}: column "${clash}" cannot be both a value column and a label or time`);
    if (this.labels.includes(DATA_VALUES_KEY))
      throw new InvalidOptionError(`${WHERE}: a label column cannot be named "${DATA_VALUES_KEY}"`);
    this.length = table.rows.length;
    if (this.length < 2) throw new DataError(`${WHERE}: expected at least 2 data rows, but got ${this.length}`);
    this.values = readNumbers(table, this.columns, this.missing);
    const stampIndex = this.timestamp === null ? -1 : table.columns.indexOf(this.timestamp);
    this.stamps = stampIndex < 0 ? null : table.rows.map((r) => r[stampIndex]);
    this.times = this.stamps === null ? null : Float64Array.from(this.stamps, (cell, r) => parseTime(cell, r));
    const spaces: Record<string, DiscreteSpace> = {};
    this.labelValues = this.labels.map((name) => {
      const { space, codes } = readLabels(table, name);
      spaces[name] = space;
      return codes;
    });
    const settings = standardizerSettings(WHERE, { minStd: o.minStd as number, clip: o.clip as number });
    this.standardizer = new RunningStandardizer(this.columns.length, { ...settings, updateFirst: false });
    this.initial = this.statistics();
    const size = this.columns.length + (this.timeFeatures ? TIME_FEATURES : 0);
    const bound = this.normalize ? this.standardizer.settings.clip : Infinity;
    const values: BoxSpace = box(size, -bound, bound);
    this.observationSpace =
      this.labels.length === 0 ? values : dict({ [DATA_VALUES_KEY]: values, ...spaces }, this.labels);
  }

  reset(options?: ResetOptions): ResetResult<SpaceValue> {
    const seed = options?.seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed)))
      throw new InvalidOptionError(
        `${WHERE}.reset: expected option "seed" to be an integer, but got ${describeValue(seed)}`,
      );
    // A file replays the same whatever the seed; a seeded reset restarts the statistics, so that
    // the same seed gives the same observations on a used instance as on a fresh one.
    if (seed !== undefined) this.restore(this.initial);
    this.row = 0;
    this.ended = false;
    const { observation, info } = this.emit();
    return { observation, info };
  }

  step(action?: SpaceValue | null): StepResult<SpaceValue> {
    if (action !== undefined && action !== null)
      throw new InvalidOptionError(
        `${WHERE}.step: expected no action (a passive environment), but got ${describeValue(action)}`,
      );
    if (this.row < 0) throw new StateError('ERR_RESET_NEEDED', `${WHERE}.step: expected reset() before the first step`);
    if (this.ended) throw new StateError('ERR_EPISODE_ENDED', `${WHERE}.step: expected reset() after the last row`);
    this.row += 1;
    const truncated = this.row === this.length - 1;
    if (truncated) this.ended = true;
    const { observation, info } = this.emit();
    return { observation, reward: 0, terminated: false, truncated, info };
  }

  /** The row, the statistics and whether the pass has ended: plain data. */
  getState(): Record<string, unknown> {
    return { environment: WHERE, row: this.row, ended: this.ended, length: this.length, moments: this.statistics() };
  }

  setState(state: unknown): void {
    const where = `${WHERE}.setState`;
    const s = stateRecord(where, 'the state', state, ['environment', 'row', 'ended', 'length', 'moments']);
    if (s.environment !== WHERE || s.length !== this.length) {
      corruptState(
        where,
        'the state',
        `a ${WHERE} of ${this.length} rows`,
        `${describeValue(s.environment)}, ${s.length}`,
      );
    }
    const row = stateInteger(where, 'row', s.row, -1, this.length - 1);
    if (typeof s.ended !== 'boolean') corruptState(where, 'ended', 'a boolean', s.ended);
    const m = stateRecord(where, 'moments', s.moments, ['count', 'mean', 'm2']);
    const D = this.columns.length;
    const moments = {
      count: stateInteger(where, 'moments.count', m.count),
      mean: stateArray(where, 'moments.mean', m.mean, D).map((v, i) => stateNumber(where, `moments.mean[${i}]`, v)),
      m2: stateArray(where, 'moments.m2', m.m2, D).map((v, i) => stateNumber(where, `moments.m2[${i}]`, v)),
    };
    this.restore(moments);
    this.row = row;
    this.ended = s.ended;
  }

  close(): void {}

  private statistics(): { count: number; mean: number[]; m2: number[] } {
    const s = this.standardizer;
    return { count: s.count, mean: Array.from(s.mean), m2: Array.from(s.m2) };
  }

  private restore(m: { count: number; mean: readonly number[]; m2: readonly number[] }): void {
    this.standardizer.count = m.count;
    this.standardizer.mean.set(m.mean);
    this.standardizer.m2.set(m.m2);
  }

  private emit(): { observation: SpaceValue; info: Info } {
    const D = this.columns.length;
    const raw = this.values.subarray(this.row * D, (this.row + 1) * D);
    const size = D + (this.timeFeatures ? TIME_FEATURES : 0);
    const out = new Float32Array(size);
    const info: Record<string, unknown> = { row: this.row, raw: Array.from(raw) };
    if (this.stamps !== null) info.timestamp = this.stamps[this.row];
    if (this.normalize) {
      const s = this.standardizer;
      const spread = Array.from({ length: D }, (_, i) => s.spread(i));
      info.scale = { mean: s.count === 0 ? new Array<number>(D).fill(0) : Array.from(s.mean), spread };
      s.standardize(raw, out, true, `${WHERE} row ${this.row + 1}`);
    } else out.set(raw);
    if (this.timeFeatures) writeTimeFeatures(this.times![this.row]!, out, D);
    if (this.labels.length === 0) return { observation: out, info };
    const observation: Record<string, SpaceValue> = { [DATA_VALUES_KEY]: out };
    this.labels.forEach((name, k) => {
      const code = this.labelValues[k]![this.row]!;
      if (code >= 0) observation[name] = code;
    });
    return { observation, info };
  }
}

/** sin and cos of the time of day and of the week (Monday 00:00 UTC at phase 0), at `out[at..at+4)`. */
function writeTimeFeatures(ms: number, out: Float32Array, at: number): void {
  const days = ms / DAY_MS;
  const day = days - Math.floor(days);
  // 1970-01-01 was a Thursday: three days after a Monday.
  const week = ((((days + 3) % 7) + 7) % 7) / 7;
  out[at] = Math.sin(2 * Math.PI * day);
  out[at + 1] = Math.cos(2 * Math.PI * day);
  out[at + 2] = Math.sin(2 * Math.PI * week);
  out[at + 3] = Math.cos(2 * Math.PI * week);
}

function openTable(path: unknown, text: unknown, format: unknown): Table {
  const formats = ['csv', 'tsv', 'jsonl'];
  if (format !== null && !formats.includes(format as string))
    throw new InvalidOptionError(
      `${WHERE}: expected option "format" to be one of csv, tsv, jsonl, but got ${describeValue(format)}`,
    );
  if ((path === null) === (text === null))
    throw new InvalidOptionError(`${WHERE}: expected one of options "path" (a file) and "text" (its contents)`);
  if (text !== null) {
    if (typeof text !== 'string') throw new InvalidOptionError(`${WHERE}: expected option "text" to be a string`);
    return parseTable(text, (format as TableFormat | null) ?? 'csv', `${WHERE} text`);
  }
  if (typeof path !== 'string' || path === '')
    throw new InvalidOptionError(`${WHERE}: expected option "path" to be a file path, but got ${describeValue(path)}`);
  return readTable(path, (format as TableFormat | null) ?? undefined);
}

function missingColumn(table: Table, name: string): DataError {
  return new DataError(`${WHERE}: no column "${name}" in the data; its columns are [${table.columns.join(', ')}]`);
}

function optionalColumn(table: Table, option: string, name: unknown): string | null {
  if (name === null) return null;
  if (typeof name !== 'string')
    throw new InvalidOptionError(`${WHERE}: expected option "${option}" to be a column name`);
  if (!table.columns.includes(name)) throw missingColumn(table, name);
  return name;
}

function columnList(table: Table, option: string, names: unknown, rule: { nonEmpty?: boolean } = {}): string[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string') || (rule.nonEmpty && names.length === 0)) {
    throw new InvalidOptionError(
      `${WHERE}: expected option "${option}" to be ${rule.nonEmpty ? 'a non-empty' : 'an'} array of column names, ` +
        `but got ${describeValue(names)}`,
    );
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new InvalidOptionError(`${WHERE}: option "${option}" names "${repeated}" twice`);
  for (const name of names as string[]) if (!table.columns.includes(name)) throw missingColumn(table, name);
  return [...(names as string[])];
}

/** A cell as a number: null for an empty one, NaN for one that is not a number. */
function numberOf(cell: Cell): number | null {
  if (cell === undefined || cell === null) return null;
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  const text = cell.trim();
  return text === '' ? null : Number(text);
}

function numericColumns(table: Table, others: ReadonlySet<string>): string[] {
  const columns = table.columns.filter((name, c) => {
    if (others.has(name)) return false;
    const first = table.rows.find((r) => numberOf(r[c]) !== null);
    return first !== undefined && Number.isFinite(numberOf(first[c]));
  });
  if (columns.length === 0)
    throw new DataError(`${WHERE}: no column of numbers in [${table.columns.join(', ')}]; name them with "columns"`);
  return columns;
}

function readNumbers(table: Table, columns: readonly string[], missing: 'error' | 'previous'): Float64Array {
  const D = columns.length;
  const out = new Float64Array(table.rows.length * D);
  columns.forEach((name, k) => {
    const c = table.columns.indexOf(name);
    let previous: number | null = null;
    table.rows.forEach((row, r) => {
      const cell = row[c];
      let v = numberOf(cell);
      if (v === null && missing === 'previous') v = previous;
      if (v === null) {
        const hint = missing === 'error' ? ' (option "missing": "previous" carries the last value on)' : '';
        throw new DataError(
          `${WHERE}: row ${r + 1}, column "${name}": expected a number, but the cell is empty${hint}`,
        );
      }
      if (!Number.isFinite(v))
        throw new DataError(
          `${WHERE}: row ${r + 1}, column "${name}": expected a number, but got ${describeValue(cell)}`,
        );
      out[r * D + k] = v;
      previous = v;
    });
  });
  return out;
}

/** A timestamp in milliseconds since 1970 UTC. */
function parseTime(cell: Cell, r: number): number {
  let ms = Number.NaN;
  const n = numberOf(cell);
  if (typeof cell === 'number' || (typeof cell === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(cell))) {
    ms = Math.abs(n!) < 1e11 ? n! * 1000 : n!;
  } else if (typeof cell === 'string') {
    let text = cell.trim().replace(' ', 'T');
    // Without a zone, a time is read as UTC, whatever the machine's zone (Date.parse would use it).
    if (/T\d/.test(text) && !/(Z|[+-]\d\d:?\d\d)$/i.test(text)) text += 'Z';
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms))
    throw new DataError(
      `${WHERE}: row ${r + 1}: expected a timestamp (ISO 8601 or Unix seconds), but got ${describeValue(cell)}`,
    );
  return ms;
}

/** A label column's values, sorted (as numbers when they all are), as codes; -1 where empty. */
function readLabels(table: Table, name: string): { space: DiscreteSpace; codes: Int32Array } {
  const c = table.columns.indexOf(name);
  const text = (cell: Cell): string | null =>
    cell === undefined || cell === null || String(cell).trim() === '' ? null : String(cell).trim();
  const seen = [...new Set(table.rows.map((r) => text(r[c])).filter((v): v is string => v !== null))];
  if (seen.length === 0) throw new DataError(`${WHERE}: label column "${name}" has no values`);
  const numeric = seen.every((v) => Number.isFinite(Number(v)));
  seen.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(seen.map((v, i) => [v, i]));
  const codes = Int32Array.from(table.rows, (r) => {
    const v = text(r[c]);
    return v === null ? -1 : index.get(v)!;
  });
  return { space: discrete(seen.length, { labels: seen }), codes };
}

export function createDataStream(options?: DataStreamOptions): DataStream {
  return new DataStream(options);
}
