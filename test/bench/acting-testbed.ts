// Acting bench, 10-armed testbed (Sutton and Barto 2018, chapter 2): policies each averaged over
// the same independent runs in one process: the average reward per step over the run, and the
// reward and share of optimal actions at its last step (averaged over the last 10 steps of every
// run). Stationary (arm values N(0, 1)) and non-stationary (random walks of step 0.01 from equal
// values; ε-greedy with a constant step 0.1 beside sample averages). Every policy runs the first
// `tpRuns` runs (the table the bar reads); the baselines also run all `runs` (a second table, as
// in the book's figures). Tuning budget: the TP agent's settings below were chosen among about 25
// screened on the first 20–50 runs (docs/experiments.md, rows P9–P11); ε-greedy and UCB get a sweep
// of their one setting on the same runs, and the best of it is reported beside the book's values.

import type { BanditPolicy } from '../../src/baselines/bandit-policy.js';
import { EpsilonGreedy } from '../../src/baselines/epsilon-greedy.js';
import { RandomPolicy } from '../../src/baselines/random-policy.js';
import { Ucb } from '../../src/baselines/ucb.js';
import { ActingAgent } from '../../agents/acting-agent.js';
import { box, discrete } from '../../src/environment/space.js';
import { banditCurves, meanOf } from './bandit-runs.js';
import { printTable, type Row } from './report.js';

/**
 * The TP agent's settings on the testbed (rows P11, P14): its defaults but for these: one return
 * modality (where the observation says nothing, it learns faster than one per action), a faster
 * decoder step that decays (the arms do not drift), and a falling temperature.
 */
export const TESTBED_TP_OPTIONS = {
  returns: 'one',
  decoderOptimizer: { learningRate: 0.01, decay: 0.005 },
  exploration: { temperature: 0.4, final: 0.05, decaySteps: 500 },
} as const;

const EPSILONS = [0.01, 0.03, 0.05, 0.1, 0.2];
const UCB_CS = [0.5, 1, 2, 4];

const POLICIES: Record<string, () => BanditPolicy> = {
  random: () => new RandomPolicy({ arms: 10, seed: 1 }),
  'greedy (ε 0)': () => new EpsilonGreedy({ arms: 10, epsilon: 0, seed: 1 }),
  'ε-greedy 0.01': () => new EpsilonGreedy({ arms: 10, epsilon: 0.01, seed: 1 }),
  'ε-greedy 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, seed: 1 }),
  'ε-greedy 0.1, α 0.1': () => new EpsilonGreedy({ arms: 10, epsilon: 0.1, stepSize: 0.1, seed: 1 }),
  'UCB c 2': () => new Ucb({ arms: 10, c: 2, seed: 1 }),
};

const TP_POLICIES: Record<string, () => BanditPolicy> = {
  'tp acting (evaluate)': () => new ActingPolicy({ policy: 'evaluate', ...TESTBED_TP_OPTIONS }),
  'tp acting (command)': () => new ActingPolicy({ policy: 'command' }),
};

export interface TestbedSectionOptions {
  readonly runs: number;
  readonly tpRuns: number;
  readonly steps: number;
}

const COLUMNS = ['policy', 'runs', 'mean reward', 'reward at end', 'optimal at end', 'steps/s'];

/** One policy over the first `runs` runs. */
function measure(name: string, policy: BanditPolicy, runs: number, steps: number, drift: number): Row {
  const started = performance.now();
  const curves = banditCurves(policy, { runs, steps, drift, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  return {
    policy: name,
    runs,
    'mean reward': meanOf(curves.reward),
    'reward at end': meanOf(curves.reward, steps - 10),
    'optimal at end': meanOf(curves.optimal, steps - 10),
    seconds,
    'steps/s': (runs * steps) / seconds,
  };
}

/** The best of a sweep on these runs, by mean reward; named after the setting that won. */
function bestOf(
  label: string,
  settings: number[],
  make: (v: number) => BanditPolicy,
  runs: number,
  steps: number,
  drift: number,
): Row {
  const rows = settings.map((v) => measure(`${label} ${v}`, make(v), runs, steps, drift));
  const best = rows.reduce((a, b) => ((b['mean reward'] as number) > (a['mean reward'] as number) ? b : a));
  return { ...best, policy: `${best.policy} (best of ${settings.join(', ')})` };
}

/** Both testbeds' tables; returns their rows by title for the JSON. */
export function testbedSection(options: TestbedSectionOptions): Record<string, Row[]> {
  const { runs, tpRuns, steps } = options;
  const out: Record<string, Row[]> = {};
  for (const [title, drift] of [
    ['stationary', 0],
    ['non-stationary (drift 0.01)', 0.01],
  ] as const) {
    if (tpRuns > 0) {
      const rows: Row[] = [];
      for (const [name, make] of Object.entries({ ...POLICIES, ...TP_POLICIES }))
        rows.push(measure(name, make(), tpRuns, steps, drift));
      const epsilon = (e: number) => new EpsilonGreedy({ arms: 10, epsilon: e, seed: 1 });
      rows.push(bestOf('ε-greedy', EPSILONS, epsilon, tpRuns, steps, drift));
      rows.push(bestOf('UCB c', UCB_CS, (c) => new Ucb({ arms: 10, c, seed: 1 }), tpRuns, steps, drift));
      printTable(
        `10-armed testbed, ${title}: every policy on the same ${tpRuns} runs of ${steps} steps`,
        rows,
        COLUMNS,
      );
      out[title] = rows;
    }
    if (runs > tpRuns) {
      const rows = Object.entries(POLICIES).map(([name, make]) => measure(name, make(), runs, steps, drift));
      printTable(`10-armed testbed, ${title}: the baselines on ${runs} runs`, rows, COLUMNS);
      out[`${title}, baselines on ${runs} runs`] = rows;
    }
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
