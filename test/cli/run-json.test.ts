// `tprop run … --json`: nothing but JSON lines on stdout, the last one the final metrics, and a
// seeded run that gives the same numbers every time, whatever the progress cadence.

import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, stackLines } from './helpers/run-cli.js';

const RUN = ['run', 'Reber-v0', '--steps', '300', '--seed', '1', '--json'];

function finalLine(stdout: string): Record<string, unknown> {
  const lines = jsonLines(stdout);
  expect(lines.length).toBeGreaterThan(0);
  return lines.at(-1)!;
}

describe('tprop run --json', () => {
  it('prints only JSON lines, the last {"done":true,"steps":300,"metrics":{…}}, the same for a seed', async () => {
    const [plain, stepped] = await Promise.all([runCli(RUN), runCli([...RUN, '--progress-steps', '100'])]);
    for (const result of [plain, stepped]) {
      expect(result.code, result.stderr).toBe(0);
      expect(stackLines(result.stderr)).toEqual([]);
      const last = finalLine(result.stdout);
      expect(Object.keys(last)).toEqual(['done', 'steps', 'metrics']);
      expect(last).toMatchObject({ done: true, steps: 300 });
      const metrics = last.metrics as Record<string, number>;
      expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['next/accuracy', 'next/legal']));
      for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
      for (const line of jsonLines(result.stdout).slice(0, -1)) {
        expect(Object.keys(line).sort()).toEqual(['anomaly', 'metrics', 'step', 'stepsPerSecond']);
        expect(line.step).toBeGreaterThan(0);
        // The largest anomaly score of the next symbol since the line before.
        const anomaly = line.anomaly as Record<string, number>;
        expect(Object.keys(anomaly)).toEqual(['next']);
        expect(anomaly.next).toBeGreaterThanOrEqual(0);
        expect(anomaly.next).toBeLessThanOrEqual(1);
      }
    }
    // Reporting progress neither draws randomness nor changes what is learned.
    expect(finalLine(stepped.stdout).metrics).toEqual(finalLine(plain.stdout).metrics);
    expect(jsonLines(stepped.stdout).map((l) => l.step ?? 'done')).toEqual([100, 200, 300, 'done']);
    // The engine's one quiet line is on stderr, not stdout.
    expect(plain.stderr).toMatch(/^tprop: backend (tensorflow|wasm|cpu)\b/m);
  });
});
