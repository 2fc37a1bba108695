// Acting bench: the TP acting agent (agents/acting-agent.ts) beside baselines, every method of a
// section in this one process on the same seeds with the same budget. Sections (the runners are
// acting-<section>.ts): testbed (10-armed bandit, stationary and drifting), mnist (MnistBandit-v0
// contextual bandit), cartpole (CartPole-v1, beside DQN; --plot writes docs/acting-cartpole.svg),
// keydoor (KeyDoor-v0 grid world, delayed reward); then one table of steps per second of every
// method. Seeds are 1 … --seeds (testbed: its runs are seeded 1 … --runs).
//   npm run bench -- acting [--sections testbed,mnist,cartpole,keydoor] [--seeds 3] [--json]
//     [--runs 2000] [--tp-runs 200] [--steps 1000]          testbed
//     [--rounds 10000] [--tail 2000]                         mnist
//     [--episodes 1000] [--cartpole-steps 100000] [--plot]   cartpole
//     [--keydoor-steps 50000]                                keydoor

import { parseArgs } from 'node:util';
import { initEngine } from '../../src/math/index.js';
import { cartPoleSection } from './acting-cartpole.js';
import { keyDoorSection } from './acting-keydoor.js';
import { mnistSection } from './acting-mnist.js';
import { returnsSvg } from './acting-plot.js';
import { testbedSection } from './acting-testbed.js';
import { finish, meanRange, printTable, progress, type Row } from './report.js';
import { writeFileSync } from 'node:fs';

const SECTIONS = ['testbed', 'mnist', 'cartpole', 'keydoor'];
const PLOT = 'docs/acting-cartpole.svg';

export async function actingBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sections: { type: 'string', default: SECTIONS.join(',') },
      seeds: { type: 'string', default: '3' },
      runs: { type: 'string', default: '2000' },
      'tp-runs': { type: 'string', default: '200' },
      steps: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '10000' },
      tail: { type: 'string', default: '2000' },
      episodes: { type: 'string', default: '1000' },
      'cartpole-steps': { type: 'string', default: '100000' },
      plot: { type: 'boolean', default: false },
      'keydoor-steps': { type: 'string', default: '50000' },
      json: { type: 'boolean', default: false },
    },
  });
  const count = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`acting bench: expected --${name} to be an integer >= ${min}, but got "${values[name]}"`);
    return n;
  };
  const sections = values.sections.split(',');
  for (const s of sections)
    if (!SECTIONS.includes(s))
      throw new Error(`acting bench: expected sections among ${SECTIONS.join(', ')}, but got "${s}"`);
  const seeds = Array.from({ length: count('seeds', 1) }, (_, i) => i + 1);
  const backend = await initEngine({ report: progress });
  const payload: Record<string, unknown> = { backend, sections, seeds };
  const speed: Row[] = [];
  const addSpeed = (section: string, rows: readonly Row[], key = 'method'): void => {
    for (const r of rows) {
      const perSeed = r.stepsPerSecond;
      const value = Array.isArray(perSeed) ? meanRange(perSeed as number[]) : r['steps/s'];
      speed.push({ section, method: r[key] ?? null, 'steps/s': value ?? null });
    }
  };
  if (sections.includes('testbed')) {
    const options = { runs: count('runs', 1), tpRuns: count('tp-runs', 0), steps: count('steps', 11) };
    const tables = testbedSection(options);
    // The testbed's keys stay where the earlier JSON had them (docs/experiments/acting-2026-12-02.json).
    Object.assign(payload, options, tables);
    for (const [title, rows] of Object.entries(tables)) addSpeed(`testbed, ${title}`, rows, 'policy');
  }
  if (sections.includes('mnist')) {
    const options = { seeds, rounds: count('rounds', 1), tail: count('tail', 1) };
    const rows = mnistSection(options);
    payload.mnist = { ...options, rows };
    addSpeed('mnist', rows);
  }
  if (sections.includes('cartpole')) {
    const options = { seeds, episodes: count('episodes', 1), steps: count('cartpole-steps', 1) };
    const { rows, runs } = cartPoleSection(options);
    payload.cartpole = { ...options, rows, runs };
    addSpeed('cartpole', rows);
    if (values.plot) {
      writeFileSync(PLOT, returnsSvg(runs));
      progress(`acting cartpole: plot written to ${PLOT}`);
    }
  }
  if (sections.includes('keydoor')) {
    const options = { seeds, steps: count('keydoor-steps', 1) };
    const rows = keyDoorSection(options);
    payload.keydoor = { ...options, rows };
    addSpeed('keydoor', rows);
  }
  printTable(`Steps per second, every method in this process (backend ${backend})`, speed, [
    'section',
    'method',
    'steps/s',
  ]);
  payload.speed = speed;
  finish('acting', payload, values.json);
}
