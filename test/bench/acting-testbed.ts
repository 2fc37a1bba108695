// Acting bench, 10-armed testbed (Sutton and Barto 2018, chapter 2): policies each averaged over
// the same independent runs in one process: the average reward per step over the run, and the
// reward and share of optimal actions at its last step (averaged over the last 10 steps of every
// run). Stationary (arm values N(0, 1)) and non-stationary (random walks of step 0.01 from equal
// values; ε-greedy with a constant step 0.1 beside sample averages). The acting TP agent
// (agents/acting-agent.ts, defaults) runs `tpRuns` of the same runs (the first ones), the
// baselines all of them.

import type { BanditPolicy } from '../../src/baselines/bandit-policy.js';
import { EpsilonGreedy } from '../../src/baselines/epsilon-greedy.js';
import { RandomPolicy } from '../../src/baselines/random-policy.js';
import { Ucb } from '../../src/baselines/ucb.js';
import { ActingAgent } from '../../agents/acting-agent.js';
import { box, discrete } from '../../src/environment/space.js';
import { banditCurves, meanOf } from './bandit-runs.js';
import { printTable, type Row } from './report.js';

const POLICIES: Record<string, (drift: number) => BanditPolicy> = {
  random: () => new RandomPolicy({ arms: 10, seed: 1 }),
  'greedy (ε 0)': () => new EpsilonGreedy({ arms: 10, epsilon: 0, seed: 1 }),
  'ε-greedy 0.01': () => new EpsilonGreedy({ arms: 10, epsilon: 0.01, seed: 1 }),
  'ε-greedy 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, seed: 1 }),
  'ε-greedy 0.1, α 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, stepSize: 0.1, seed: 1 }),
  'UCB c 2': () => new Ucb({ arms: 10, c: 2, seed: 1 }),
};

export interface TestbedSectionOptions {
  readonly runs: number;
  readonly tpRuns: number;
  readonly steps: number;
}

/** Both testbeds' tables; returns their rows by title for the JSON. */
export function testbedSection(options: TestbedSectionOptions): Record<string, Row[]> {
  const { runs, tpRuns, steps } = options;
  const out: Record<string, Row[]> = {};
  for (const [title, drift] of [
    ['stationary', 0],
    ['non-stationary (drift 0.01)', 0.01],
  ] as const) {
    const rows: Row[] = [];
    const policies: [string, () => BanditPolicy, number][] = [
      ...Object.entries(POLICIES).map(([name, make]): [string, () => BanditPolicy, number] => [
        name,
        () => make(drift),
        runs,
      ]),
      ['tp acting (evaluate)', () => new ActingPolicy({ policy: 'evaluate' }), tpRuns],
      ['tp acting (command)', () => new ActingPolicy({ policy: 'command' }), tpRuns],
    ];
    for (const [name, make, count] of policies) {
      if (count === 0) continue;
      const started = performance.now();
      const curves = banditCurves(make(), { runs: count, steps, drift, seed: 1 });
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        policy: name,
        runs: count,
        'mean reward': meanOf(curves.reward),
        'reward at end': meanOf(curves.reward, steps - 10),
        'optimal at end': meanOf(curves.optimal, steps - 10),
        seconds,
        'steps/s': (count * steps) / seconds,
      });
    }
    printTable(`10-armed testbed, ${title}: ${runs} runs of ${steps} steps`, rows, [
      'policy',
      'runs',
      'mean reward',
      'reward at end',
      'optimal at end',
      'seconds',
    ]);
    out[title] = rows;
  }
  return out;
}

/** The acting agent as a bandit policy: a fresh agent (seeded by the run) at each reset. */
class ActingPolicy implements BanditPolicy {
  readonly arms = 10;
  private agent: ActingAgent | null = null;
  private run = 0;
  private step = 0;

  constructor(private readonly options: Record<string, unknown>) {}

  private observe(reward: number, first: boolean): void {
    const transition = { episode: 0, terminated: false, truncated: false, info: {}, first };
    this.agent!.observe({ ...transition, step: this.step++, observation: Float32Array.of(0), reward });
  }

  act(): number {
    if (!this.agent) this.reset();
    return this.agent!.act();
  }

  update(_action: number, reward: number): void {
    this.observe(reward, false);
  }

  reset(): void {
    this.agent?.dispose();
    this.run += 1;
    this.step = 0;
    this.agent = new ActingAgent(box(1, 0, 0), { ...this.options, seed: this.run }, discrete(this.arms));
    this.observe(0, true);
  }
}
