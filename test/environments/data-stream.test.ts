// Specification of DataStream and its table reader: a user's CSV or JSON-lines file replayed a
// row per step, columns standardised by the rows before, time features, labels as modalities.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_STREAM_DEFAULTS, DataStream } from '../../environments/data-stream.js';
import { parseTable, readTable } from '../../environments/datasets/table-file.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { CheckpointError, DataError, InvalidOptionError } from '../../src/errors.js';
import { thrown } from '../helpers/thrown.js';
import { rollout } from './rollout.js';

const CSV = 'time,a,b,kind\n2024-01-01 06:00:00,1,10,x\n2024-01-01 12:00:00,3,10,\n2024-01-02 00:00:00,2,13,y\n';

function expectError(f: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  const error = thrown(f);
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toBe(message);
}

describe('parseTable', () => {
  it('reads RFC 4180 CSV: quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, blank lines', () => {
    const text = '\ufeffname,"note"\r\n"Smith, J","said ""hi""\nthen left"\r\n\r\nLee,\n';
    expect(parseTable(text, 'csv')).toEqual({
      columns: ['name', 'note'],
      rows: [
        ['Smith, J', 'said "hi"\nthen left'],
        ['Lee', ''],
      ],
    });
    expect(parseTable('a\tb\n1\t2\n', 'tsv')).toEqual({ columns: ['a', 'b'], rows: [['1', '2']] });
  });

  it('reads JSON lines, a column per key in the order first seen, undefined where a line lacks it', () => {
    expect(parseTable('{"a":1}\n\n{"b":"x","a":null}\n', 'jsonl')).toEqual({
      columns: ['a', 'b'],
      rows: [
        [1, undefined],
        [null, 'x'],
      ],
    });
  });

  it.each([
    ['a,b\n1,2,3\n', 'csv', 'the data: line 2: expected 2 fields as in the header, but got 3'],
    ['a,b\n"1,2\n', 'csv', 'the data: line 2: expected a closing quote, but the file ended'],
    ['a,a\n1,2\n', 'csv', 'the data: expected distinct column names, but got "a" twice'],
    ['a,\n1,2\n', 'csv', 'the data: expected a name for every column, but column 2 has none'],
    ['', 'csv', 'the data: expected a header row, but the file is empty'],
    ['{"a":1}\n{"a":\n', 'jsonl', expect.stringMatching(/^the data: line 2: expected a JSON object, but /)],
    ['[1]\n', 'jsonl', 'the data: line 1: expected a JSON object, but got Array(1)'],
    ['{"a":[1]}\n', 'jsonl', expect.stringContaining('line 1: expected numbers, strings, booleans or null')],
  ] as const)('throws DataError on malformed data: %j', (text, format, message) => {
    const error = thrown(() => parseTable(text, format));
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe('ERR_DATA');
    expect((error as Error).message).toEqual(message);
  });

  it('reads a file by its extension, and names a file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tprop-table-'));
    writeFileSync(join(dir, 'x.ndjson'), '{"v":2}\n');
    expect(readTable(join(dir, 'x.ndjson'))).toEqual({ columns: ['v'], rows: [[2]] });
    expect(thrown(() => readTable(join(dir, 'none.csv')))).toBeInstanceOf(DataError);
    expect(thrown(() => readTable(join(dir, 'x.txt')))).toBeInstanceOf(InvalidOptionError);
  });
});

describe('DataStream', () => {
  it('has the documented defaults, and passes the environment contract on a file', () => {
    expect(DATA_STREAM_DEFAULTS).toEqual({
      path: null,
      text: null,
      format: null,
      columns: null,
      timestamp: null,
      timeFeatures: false,
      labels: [],
      normalize: true,
      minStd: 0,
      clip: 5,
      missing: 'error',
    });
    const dir = mkdtempSync(join(tmpdir(), 'tprop-data-'));
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${Math.sin(i)},${i % 3 === 0 ? 'odd' : 'even'}`);
    writeFileSync(join(dir, 'd.csv'), `t,v,tag\n${rows.join('\n')}\n`);
    const make = (): DataStream => new DataStream({ path: join(dir, 'd.csv'), timestamp: 't', labels: ['tag'] });
    expect(() => checkEnvironment(make, { steps: 100, seedSensitive: false })).not.toThrow();
    expect(make().observationSpace).toEqual({
      kind: 'dict',
      spaces: {
        observation: { kind: 'box', shape: [1], low: -5, high: 5 },
        tag: { kind: 'discrete', n: 2, labels: ['even', 'odd'] },
      },
      optional: ['tag'],
    });
  });

  it('takes every column of numbers but the timestamp and labels by default, a box without labels', () => {
    const env = new DataStream({ text: CSV, timestamp: 'time' });
    expect(env.columns).toEqual(['a', 'b']);
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [2], low: -5, high: 5 });
    expect(new DataStream({ text: CSV, columns: ['b'] }).columns).toEqual(['b']);
  });

  it('standardises each row by the mean and spread of the rows before it, and says which in info', () => {
    const { observations, infos } = rollout(new DataStream({ text: CSV, columns: ['a'] }), 0);
    // The first row is its own mean; the second's spread is 0, floored at sqrt(1e-8) and clipped.
    expect(observations.map((o) => (o as Float32Array)[0])).toEqual([0, 5, expect.closeTo((2 - 2) / 1, 6)]);
    expect(infos.map((i) => i.raw)).toEqual([[1], [3], [2]]);
    expect(infos.map((i) => i.row)).toEqual([0, 1, 2]);
    expect(infos[2]!.scale).toEqual({ mean: [2], spread: [expect.closeTo(1, 6)] });
    // A prediction maps back to the columns' units by the scale of the row it predicts.
    const { mean, spread } = infos[1]!.scale as { mean: number[]; spread: number[] };
    expect(mean[0]! + 5 * spread[0]!).toBeCloseTo(1 + 5e-4, 6);
    const raw = rollout(new DataStream({ text: CSV, columns: ['a'], normalize: false }), 0);
    expect(raw.observations.map((o) => (o as Float32Array)[0])).toEqual([1, 3, 2]);
    // A floor in the columns' units keeps the second row off the clip.
    const floored = rollout(new DataStream({ text: CSV, columns: ['a'], minStd: 1 }), 0);
    expect(floored.observations.map((o) => (o as Float32Array)[0])).toEqual([0, 2, 0]);
  });

  it('appends sin and cos of the time of day and of the week, reading zone-less times as UTC', () => {
    const env = new DataStream({ text: CSV, columns: ['a'], timestamp: 'time', timeFeatures: true, normalize: false });
    const { observations, infos } = rollout(env, 0);
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [5], low: -Infinity, high: Infinity });
    expect(infos[0]!.timestamp).toBe('2024-01-01 06:00:00');
    // Monday 2024-01-01 06:00 UTC: a quarter of the day, a 28th of the week.
    const week = (2 * Math.PI * 0.25) / 7;
    const at6 = [1, 1, 0, Math.sin(week), Math.cos(week)];
    expect(Array.from(observations[0] as Float32Array)).toEqual(at6.map((v) => expect.closeTo(v, 5)));
    // Tuesday 00:00: the day starts again, the week is a seventh on.
    const tuesday = [2, 0, 1, Math.sin((2 * Math.PI) / 7), Math.cos((2 * Math.PI) / 7)];
    expect(Array.from(observations[2] as Float32Array)).toEqual(tuesday.map((v) => expect.closeTo(v, 5)));
    const seconds = new DataStream({
      text: 't,a\n1704088800,1\n1704088800000,2\n',
      timestamp: 't',
      timeFeatures: true,
    });
    const { observations: unix } = rollout(seconds, 0);
    // Unix seconds and milliseconds of the same instant give the same features.
    expect(Array.from(unix[0] as Float32Array).slice(1)).toEqual(Array.from(unix[1] as Float32Array).slice(1));
  });

  it('gives each label column a discrete modality, missing where the cell is empty', () => {
    const env = new DataStream({ text: CSV, columns: ['a'], labels: ['kind'] });
    const { observations } = rollout(env, 0);
    expect(observations.map((o) => (o as Record<string, unknown>).kind)).toEqual([0, undefined, 1]);
    expect(Object.keys(observations[1] as object)).toEqual(['observation']);
  });

  it('throws DataError on an empty or non-numeric cell, naming the row and column, or carries the last on', () => {
    const gap = 'a,b\n1,2\n,3\n4,x\n';
    expectError(
      () => new DataStream({ text: gap, columns: ['a'] }),
      DataError,
      'DataStream: row 2, column "a": expected a number, but the cell is empty (option "missing": "previous" ' +
        'carries the last value on)',
    );
    expectError(
      () => new DataStream({ text: gap, columns: ['b'] }),
      DataError,
      'DataStream: row 3, column "b": expected a number, but got "x"',
    );
    const { infos } = rollout(new DataStream({ text: gap, columns: ['a'], missing: 'previous' }), 0);
    expect(infos.map((i) => i.raw)).toEqual([[1], [1], [4]]);
    expectError(
      () => new DataStream({ text: 't,a\nyesterday,1\nnow,2\n', timestamp: 't' }),
      DataError,
      'DataStream: row 1: expected a timestamp (ISO 8601 or Unix seconds), but got "yesterday"',
    );
  });

  it.each([
    [{}, InvalidOptionError, 'DataStream: expected one of options "path" (a file) and "text" (its contents)'],
    [
      { text: CSV, columns: ['c'] },
      DataError,
      'DataStream: no column "c" in the data; its columns are [time, a, b, kind]',
    ],
    [
      { text: CSV, timeFeatures: true },
      InvalidOptionError,
      'DataStream: option "timeFeatures" needs option "timestamp", the column of times',
    ],
    [
      { text: CSV, columns: ['a'], labels: ['a'] },
      InvalidOptionError,
      'DataStream: column "a" cannot be both a value column and a label or time',
    ],
    [{ text: 'a\n1\n' }, DataError, 'DataStream: expected at least 2 data rows, but got 1'],
    [
      { text: CSV, missing: 'zero' },
      InvalidOptionError,
      'DataStream: expected option "missing" to be "error" or "previous", but got "zero"',
    ],
    [{ text: CSV, colums: ['a'] }, InvalidOptionError, expect.stringContaining('unknown option "colums"')],
  ] as const)('refuses %j', (options, type, message) => {
    const error = thrown(() => new DataStream(options as never));
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toEqual(message);
  });

  it("restores its state mid-pass exactly, and refuses another stream's state, changing nothing", () => {
    const text = `v\n${Array.from({ length: 30 }, (_, i) => Math.cos(i / 3)).join('\n')}\n`;
    const env = new DataStream({ text });
    env.reset({ seed: 1 });
    for (let i = 0; i < 12; i++) env.step();
    const state = structuredClone(env.getState());
    const copy = new DataStream({ text });
    copy.setState(state);
    for (let i = 0; i < 17; i++) expect(copy.step()).toEqual(env.step());
    const other = new DataStream({ text: 'v\n1\n2\n3\n' });
    const error = thrown(() => other.setState(state));
    expect(error).toBeInstanceOf(CheckpointError);
    expect(other.getState()).toEqual(new DataStream({ text: 'v\n1\n2\n3\n' }).getState());
    // A seeded reset restarts the statistics: the same seed, the same observations.
    expect(rollout(env, 3).observations).toEqual(rollout(new DataStream({ text }), 3).observations);
  });
});
