// Resuming runs through the CLI: --save writes the whole run (agent, environment, counters) and
// --load continues it exactly; paths that cannot be checkpoints are refused in one typed line.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CHECKPOINT_KIND } from '../../src/checkpoint/agent-checkpoint.js';
import { writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { type RunState, readRun } from '../../src/checkpoint/run-checkpoint.js';
import { type CliResult, jsonLines, runCli, stackLines, startCli } from './helpers/run-cli.js';

// A seeded walk on 6 symbols in episodes of 25 steps, with no getState: a resumed run replays it.
const WALK = `
import { Rng, StateError, discrete, type Environment, type ResetOptions, type StepResult } from 'tprop';

export default function createEnvironment(options: { length?: number } = {}): Environment<number> {
  const length = options.length ?? 25;
  let rng = new Rng(0);
  let symbol = 0;
  let t = -1;
  return {
    observationSpace: discrete(6),
    actionSpace: null,
    reset(reset?: ResetOptions) {
      if (reset?.seed !== undefined) rng = new Rng(reset.seed);
      symbol = rng.int(6);
      t = 0;
      return { observation: symbol, info: { legalNext: [(symbol + 1) % 6, (symbol + 2) % 6] } };
    },
    step(): StepResult<number> {
      if (t < 0) throw new StateError('ERR_RESET_NEEDED', 'walk.step: expected reset() first');
      if (t >= length) throw new StateError('ERR_EPISODE_ENDED', 'walk.step: expected reset() after the end');
      t++;
      symbol = (symbol + 1 + rng.int(2)) % 6;
      const legalNext = [(symbol + 1) % 6, (symbol + 2) % 6];
      return { observation: symbol, reward: 0, terminated: t >= length, truncated: false, info: { legalNext } };
    },
  };
}
`;

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-resume-'));
  writeFileSync(join(folder, 'walk.ts'), WALK);
  writeFileSync(join(folder, 'agent.json'), JSON.stringify({ kind: 'predictive', layers: [16], window: 8 }));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('tprop: ERR_'));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stackLines(result.stderr)).toEqual([]);
  expect(result.stdout).toBe('');
}

/** Runs the CLI, killing it after `ms` (a run that blocks on a pipe would otherwise never end). */
async function runWithin(args: readonly string[], ms: number): Promise<CliResult> {
  const cli = startCli(args);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), ms);
  const result = await cli.exited;
  clearTimeout(timer);
  return result;
}

describe('tprop run --load / --save, paths', () => {
  it('refuses a folder, a symbolic link loop, a file with a slash and a named pipe, each in one line', async () => {
    const dir = join(folder, 'folder');
    mkdirSync(dir);
    const loop = join(folder, 'loop');
    symlinkSync(loop, loop);
    const file = join(folder, 'file');
    writeFileSync(file, 'not a checkpoint');
    const fifo = join(folder, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const load = (path: string) => runWithin(['run', 'Reber-v0', '--steps', '10', '--json', '--load', path], 30_000);
    const [folderRun, loopRun, slashRun, fifoRun] = await Promise.all([dir, loop, `${file}/`, fifo].map(load));
    expectUserError(
      folderRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected a checkpoint file, but .*folder is a directory$/,
    );
    expectUserError(loopRun!, /^tprop: ERR_INVALID_OPTION: --load: could not read .*loop: ELOOP/);
    expectUserError(
      slashRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected the path of a file, but .*file\/ ends with/,
    );
    expect(fifoRun!.signal, 'the CLI blocked on the named pipe').toBeNull();
    expectUserError(
      fifoRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected a checkpoint file, but .*pipe is a named pipe$/,
    );
  });

  it('refuses --save with a trailing slash before the run, and writes nothing', async () => {
    const target = join(folder, 'x');
    const result = await runCli(['run', 'Reber-v0', '--steps', '10', '--json', '--save', `${target}/`]);
    expectUserError(result, /^tprop: ERR_INVALID_OPTION: --save: expected the path of a file, but .*x\/ ends with/);
    expect(existsSync(target)).toBe(false);
  });
});

type Done = { done: true; steps: number; metrics: Record<string, number> };

const done = (result: CliResult): Done => {
  expect(result.code, result.stderr).toBe(0);
  return jsonLines(result.stdout).at(-1) as Done;
};

/** The largest difference between the weights of the agents of two run checkpoints. */
function weightGap(a: RunState, b: RunState): number {
  const [pa, pb] = [a, b].map((r) => (r.agent.data.stack as { parameters: Float32Array[] }).parameters);
  let gap = 0;
  pa!.forEach((p, i) => p.forEach((v, j) => (gap = Math.max(gap, Math.abs(v - pb![i]![j]!)))));
  return gap;
}

describe('tprop run --save, then --load', () => {
  // 2,000 steps, save, load, 2,000 steps: the same agent and the same reported metrics as 4,000 steps.
  it.each([
    ['the built-in Reber-v0, whose state is saved', 'Reber-v0', [] as string[]],
    ['an environment module without getState, replayed', 'walk.ts', ['--env-options', '{"length":25}']],
  ])('continues %s exactly as the uninterrupted run', async (_, name, extra) => {
    const env = name.endsWith('.ts') ? join(folder, name) : name;
    const tag = name.replace(/\W/g, '');
    const [half, resumed, whole] = ['half', 'resumed', 'whole'].map((n) => join(folder, `${tag}-${n}.tprop`));
    const config = ['--config', join(folder, 'agent.json')];
    const first = runCli([
      'run',
      env,
      ...extra,
      ...config,
      '--steps',
      '2000',
      '--seed',
      '5',
      '--save',
      half!,
      '--json',
    ]);
    const uninterrupted = runCli([
      'run',
      env,
      ...extra,
      ...config,
      '--steps',
      '4000',
      '--seed',
      '5',
      '--save',
      whole!,
      '--json',
    ]);
    expect(done(await first).steps).toBe(2000);
    const second = await runCli([
      'run',
      env,
      ...extra,
      '--load',
      half!,
      '--steps',
      '2000',
      '--save',
      resumed!,
      '--json',
    ]);
    const [a, b] = [done(second), done(await uninterrupted)];
    expect(a.steps).toBe(4000);
    expect(a.metrics).toEqual(b.metrics);
    const [runA, runB] = [readRun(resumed!), readRun(whole!)];
    expect(runA.position).toEqual(runB.position);
    expect(weightGap(runA, runB)).toBeLessThanOrEqual(1e-6);
    if (name.endsWith('.ts')) {
      expect(runA.environmentState).toBeNull();
      expect(second.stderr).toContain('tprop: replaying the 2000 steps of the saved run');
    } else {
      expect(runA.environmentState).not.toBeNull();
    }
  });

  it('refuses another environment or its options (MISMATCH) and another --seed; loads an agent-only file', async () => {
    const reber = join(folder, 'reber.tprop');
    const walk = join(folder, 'walk.tprop');
    const agentOnly = join(folder, 'agent-only.tprop');
    const module = join(folder, 'walk.ts');
    await Promise.all([
      runCli(['run', 'Reber-v0', '--steps', '50', '--seed', '1', '--save', reber, '--json']),
      runCli(['run', module, '--env-options', '{"length":25}', '--steps', '50', '--save', walk, '--json']),
    ]);
    // A checkpoint of an older tprop held the agent alone.
    writeCheckpoint(agentOnly, readRun(reber).agent, { kind: AGENT_CHECKPOINT_KIND });
    const [embedded, options, seed, older] = await Promise.all([
      runCli(['run', 'EmbeddedReber-v0', '--load', reber, '--steps', '10', '--json']),
      runCli(['run', module, '--env-options', '{"length":30}', '--load', walk, '--steps', '10', '--json']),
      runCli(['run', 'Reber-v0', '--load', reber, '--seed', '2', '--steps', '5', '--json']),
      runCli(['run', 'Reber-v0', '--load', agentOnly, '--steps', '30', '--seed', '4', '--json']),
    ]);
    expectUserError(
      embedded!,
      new RegExp(
        '^tprop: ERR_CHECKPOINT_MISMATCH: --load .*reber\\.tprop: expected a run of EmbeddedReber-v0 with ' +
          'options \\{\\}, but the checkpoint holds a run of Reber-v0 with options \\{\\}$',
      ),
    );
    expectUserError(
      options!,
      new RegExp(
        '^tprop: ERR_CHECKPOINT_MISMATCH: .*expected a run of walk\\.ts with options \\{"length":30\\}, but the ' +
          'checkpoint holds a run of walk\\.ts with options \\{"length":25\\}$',
      ),
    );
    expectUserError(
      seed!,
      /^tprop: ERR_INVALID_OPTION: --seed: expected 1, the seed of the run saved in .*, but got 2$/,
    );
    expect(done(older!).steps).toBe(30);
    expect(older!.stderr).toContain(
      `tprop: ${agentOnly} holds an agent only (an older checkpoint): the environment starts fresh`,
    );
  });
});
