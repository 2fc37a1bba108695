// `tprop run data.csv --columns value --json`: a user's own file learned a row at a time, one
// JSON line per row with the prediction, its error in the column's units and the anomaly score.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, stackLines } from './helpers/run-cli.js';

const ROWS = 2400;
const SURGE = 2000;

/** A daily cycle every 48 half-hours around 20, a deterministic wobble, a surge of +8 for 10 rows. */
function sensorCsv(): string {
  const start = Date.parse('2024-03-04T00:00:00Z');
  const lines = ['timestamp,value,state'];
  for (let i = 0; i < ROWS; i++) {
    const surge = i >= SURGE && i < SURGE + 10;
    const v = 20 + 3 * Math.sin((2 * Math.PI * i) / 48) + 0.2 * Math.sin(i * 1.7) + (surge ? 8 : 0);
    const time = new Date(start + i * 1_800_000).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${time},${v.toFixed(3)},${surge ? 'alarm' : i % 10 === 0 ? '' : 'ok'}`);
  }
  return `${lines.join('\n')}\n`;
}

function dataFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tprop-data-')), name);
  writeFileSync(path, text);
  return path;
}

describe('tprop run on a data file', () => {
  it('writes a line per row: prediction, error and anomaly score; learns the cycle and flags the surge', async () => {
    const file = dataFile('sensor.csv', sensorCsv());
    const result = await runCli(['run', file, '--columns', 'value', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(stackLines(result.stderr)).toEqual([]);
    const lines = jsonLines(result.stdout);
    // One pass over the file by default, then the final line.
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines.at(-1)).toMatchObject({ done: true, steps: ROWS });
    const rows = lines.slice(0, -1) as {
      row: number;
      actual: { value: number };
      prediction: { value: number } | null;
      error: { value: number } | null;
      anomaly: number | null;
    }[];
    expect(rows[0]).toEqual({ step: 0, row: 0, actual: { value: 20 }, prediction: null, error: null, anomaly: null });
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    for (const r of rows.slice(1)) {
      expect(r.error!.value).toBeCloseTo(r.prediction!.value - r.actual.value, 3);
      expect(r.anomaly).toBeGreaterThanOrEqual(0);
      expect(r.anomaly).toBeLessThanOrEqual(1);
    }
    // Prequential, in the column's units, over the rows before the surge: at least 2x better
    // than repeating the last value.
    let model = 0;
    let repeat = 0;
    for (let i = 1000; i < SURGE; i++) {
      model += rows[i]!.error!.value ** 2;
      repeat += (rows[i]!.actual.value - rows[i - 1]!.actual.value) ** 2;
    }
    expect(model).toBeLessThan(repeat / 2);
    // The surge is flagged at once; quiet rows are rarely flagged.
    expect(rows[SURGE]!.anomaly).toBeGreaterThan(0.99);
    const quiet = rows.slice(1000, SURGE).filter((r) => r.anomaly! > 0.99).length;
    expect(quiet / (SURGE - 1000)).toBeLessThan(0.02);
  });

  it('carries the timestamp and the label columns, with time features on request', async () => {
    const file = dataFile('sensor.csv', sensorCsv());
    const args = ['run', file, '--columns', 'value', '--labels', 'state', '--timestamp', 'timestamp'];
    const result = await runCli([...args, '--time-features', '--steps', '300', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(301);
    expect(lines[1]).toMatchObject({ row: 1, timestamp: '2024-03-04 00:30:00', labels: { state: { actual: 'ok' } } });
    // Row 10's label is empty: nothing to score, so neither actual nor prediction.
    expect(lines[10]!.labels).toEqual({ state: { actual: null, prediction: null, probability: null } });
    const later = lines.slice(200, 300).map((l) => (l.labels as Record<string, { prediction: string }>).state);
    expect(later.filter((s) => s.prediction === 'ok').length).toBeGreaterThan(80);
  });

  it('gives a typed one-line error for a missing column, malformed data and data flags without a file', async () => {
    const file = dataFile('sensor.csv', sensorCsv());
    const missing = await runCli(['run', file, '--columns', 'temperature']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'tprop: ERR_DATA: DataStream: no column "temperature" in the data; its columns are [timestamp, value, state]',
    );
    const brokenFile = dataFile('broken.csv', 'a,b\n1,2\n3\n');
    const broken = await runCli(['run', brokenFile]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      `tprop: ERR_DATA: ${brokenFile}: line 3: expected 2 fields as in the header, but got 1`,
    );
    const stray = await runCli(['run', 'Reber-v0', '--columns', 'value']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain(
      'tprop: ERR_INVALID_OPTION: --columns: only applies to a data file (.csv, .tsv, .jsonl, .ndjson)',
    );
    for (const r of [missing, broken, stray]) expect(stackLines(r.stderr)).toEqual([]);
  });
});
