// Environment modules through the CLI: a small passive environment in plain TypeScript, written
// to a temporary folder outside the repository, learns; broken ones are refused with their fault.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, stackLines } from './helpers/run-cli.js';

// A cycle of `period` symbols with a seeded start, in episodes of `length` steps; `legalNext`
// says which symbol must follow, so the agent's next/legal metric has something to measure.
const CYCLE = `
import { StateError, discrete, type Environment, type ResetOptions, type StepResult } from 'tprop';

export default function createEnvironment(options: { period?: number; length?: number } = {}): Environment<number> {
  const period = options.period ?? 5;
  const length = options.length ?? 20;
  let start = 0;
  let symbol = 0;
  let t = -1;
  return {
    observationSpace: discrete(period),
    actionSpace: null,
    reset(reset?: ResetOptions) {
      if (reset?.seed !== undefined) start = Math.abs(reset.seed) % period;
      symbol = start;
      t = 0;
      return { observation: symbol, info: { legalNext: [(symbol + 1) % period] } };
    },
    step(): StepResult<number> {
      if (t < 0) throw new StateError('ERR_RESET_NEEDED', 'cycle.step: expected reset() first');
      if (t >= length)
        throw new StateError('ERR_EPISODE_ENDED', 'cycle.step: expected reset() after the episode ended');
      t++;
      symbol = (symbol + 1) % period;
      const info = { legalNext: [(symbol + 1) % period] };
      return { observation: symbol, reward: 0, terminated: t >= length, truncated: false, info };
    },
  };
}
`;

// Plain JS, a box(3) observation; \`FAULT\` is replaced by the observation of step 5.
const BROKEN = `
import { StateError, box } from 'tprop';

export function createEnvironment() {
  let t = -1;
  return {
    observationSpace: box([3]),
    actionSpace: null,
    reset() {
      t = 0;
      return { observation: Float32Array.of(0, 0, 0), info: {} };
    },
    step() {
      if (t < 0) throw new StateError('ERR_RESET_NEEDED', 'broken.step: expected reset() first');
      t++;
      const observation = t === 5 ? FAULT : Float32Array.of(t, 0, 0);
      return { observation, reward: 0, terminated: false, truncated: false, info: {} };
    },
  };
}
`;

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-cli-'));
  writeFileSync(join(folder, 'cycle.ts'), CYCLE);
  writeFileSync(join(folder, 'short.mjs'), BROKEN.replace('FAULT', 'Float32Array.of(1, 2)'));
  writeFileSync(join(folder, 'nan.js'), BROKEN.replace('FAULT', 'Float32Array.of(1, NaN, 0)'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('tprop run <module>', () => {
  it('learns from an environment module outside the repository, with --env-options', async () => {
    const result = await runCli([
      'run',
      join(folder, 'cycle.ts'),
      '--steps',
      '200',
      '--json',
      '--env-options',
      '{"period":4,"length":12}',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const last = jsonLines(result.stdout).at(-1)!;
    expect(last).toMatchObject({ done: true, steps: 200 });
    const metrics = last.metrics as Record<string, number>;
    // A cycle of four is easy: the agent has mostly learned it within 200 steps.
    expect(metrics['next/legal']).toBeGreaterThan(0.5);
    for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
  });

  it('refuses a module whose observation has the wrong length or a NaN, naming the fault, with status 2', async () => {
    const [short, nan] = await Promise.all([
      runCli(['run', join(folder, 'short.mjs'), '--steps', '200', '--json']),
      runCli(['run', join(folder, 'nan.js'), '--steps', '200', '--json']),
    ]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(
      /^tprop: ERR_ENVIRONMENT: .*short\.mjs breaks the environment contract: .*step 5.*length 3, but got length 2$/m,
    );
    expect(nan.code).toBe(2);
    expect(nan.stderr).toMatch(/^tprop: ERR_ENVIRONMENT: .*nan\.js breaks the environment contract: .*step 5.*NaN/m);
    for (const result of [short, nan]) {
      expect(stackLines(result.stderr)).toEqual([]);
      expect(result.stdout).toBe('');
    }
  });
});
