// Acting bench: policies on the 10-armed testbed (Sutton and Barto 2018, chapter 2), each
// averaged over the same independent runs in one process: the average reward per step over the
// run, and the reward and share of optimal actions at its last step (averaged over the last 10
// steps of every run). Stationary (arm values N(0, 1)) and non-stationary (random walks of step
// 0.01 from equal values; ε-greedy with a constant step 0.1 beside sample averages).
// The acting TP agent of issue 13 is not built yet; this bench holds its baselines.
//   npm run bench -- acting [--runs 2000] [--steps 1000] [--json]

import { parseArgs } from 'node:util';
import type { BanditPolicy } from '../../src/baselines/bandit-policy.js';
import { EpsilonGreedy } from '../../src/baselines/epsilon-greedy.js';
import { RandomPolicy } from '../../src/baselines/random-policy.js';
import { Ucb } from '../../src/baselines/ucb.js';
import { banditCurves, meanOf } from './bandit-runs.js';
import { finish, printTable, type Row } from './report.js';

const POLICIES: Record<string, (drift: number) => BanditPolicy> = {
  random: () => new RandomPolicy({ arms: 10, seed: 1 }),
  'greedy (ε 0)': () => new EpsilonGreedy({ arms: 10, epsilon: 0, seed: 1 }),
  'ε-greedy 0.01': () => new EpsilonGreedy({ arms: 10, epsilon: 0.01, seed: 1 }),
  'ε-greedy 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, seed: 1 }),
  'ε-greedy 0.1, α 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, stepSize: 0.1, seed: 1 }),
  'UCB c 2': () => new Ucb({ arms: 10, c: 2, seed: 1 }),
};

export async function actingBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '2000' },
      steps: { type: 'string', default: '1000' },
      json: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const steps = Number(values.steps);
  const payload: Record<string, unknown> = { runs, steps };
  for (const [title, drift] of [
    ['stationary', 0],
    ['non-stationary (drift 0.01)', 0.01],
  ] as const) {
    const rows: Row[] = [];
    for (const [name, make] of Object.entries(POLICIES)) {
      const started = performance.now();
      const curves = banditCurves(make(drift), { runs, steps, drift, seed: 1 });
      rows.push({
        policy: name,
        'mean reward': meanOf(curves.reward),
        'reward at end': meanOf(curves.reward, steps - 10),
        'optimal at end': meanOf(curves.optimal, steps - 10),
        seconds: (performance.now() - started) / 1000,
      });
    }
    printTable(`10-armed testbed, ${title}: ${runs} runs of ${steps} steps`, rows, [
      'policy',
      'mean reward',
      'reward at end',
      'optimal at end',
      'seconds',
    ]);
    payload[title] = rows;
  }
  finish('acting', payload, values.json);
}
