// Acting bench, MNIST contextual bandit (MnistBandit-v0): each round shows an unseen digit, the
// method guesses its label and is paid 1 if right. Per method, over the seeds: the share of right
// guesses over the whole run and over its last rounds, and steps per second. Every method runs
// here in one process on the same seeds (each seed fixes the digits' order) and the same rounds.

import { MnistBandit } from '../../environments/mnist-bandit.js';
import type { ActingAgentOptions } from '../../agents/acting-agent.js';
import { type MethodFactory, linearMethod, randomMethod, runMethod, tpMethod } from './acting-methods.js';
import { meanRange, printTable, progress, type Row } from './report.js';

/** The TP acting agent's options on this section (its defaults but for these). */
export const MNIST_TP_OPTIONS: ActingAgentOptions = {
  // Rows P13, P19: decoders at 5e-4; the returns weigh 10 against the code in the top's loss; the
  // top replays 16 of its last 5,000 rounds per pass (a bandit's rewards do not depend on the
  // policy, so old rounds stay true); τ from 0.2 to 0.02 over 5,000 rounds.
  decoderOptimizer: { learningRate: 5e-4 },
  top: { sideWeight: 10, replay: 5000 },
  exploration: { temperature: 0.2, final: 0.02, decaySteps: 5000 },
};

const METHODS: Record<string, MethodFactory> = {
  'tp acting': tpMethod(MNIST_TP_OPTIONS),
  'linear ε-greedy 0.1': linearMethod({ epsilon: 0.1 }),
  'linear ε-greedy 0.01': linearMethod({ epsilon: 0.01 }),
  random: randomMethod,
};

export interface MnistSectionOptions {
  readonly seeds: readonly number[];
  readonly rounds: number;
  /** The last rounds whose share is reported beside the whole run's. */
  readonly tail: number;
}

/** Runs every method on every seed; prints the table and returns its rows for the JSON. */
export function mnistSection(options: MnistSectionOptions): Row[] {
  const { seeds, rounds } = options;
  const tail = Math.min(options.tail, rounds);
  const rows: Row[] = [];
  for (const [name, make] of Object.entries(METHODS)) {
    const all: number[] = [];
    const last: number[] = [];
    const speed: number[] = [];
    for (const seed of seeds) {
      const env = new MnistBandit({ length: rounds });
      let right = 0;
      let rightLast = 0;
      const run = runMethod(env, make(env, seed), {
        seed,
        steps: rounds,
        onStep: (r, step) => {
          right += r.reward;
          if (step > rounds - tail) rightLast += r.reward;
        },
      });
      env.close();
      all.push(right / run.steps);
      last.push(rightLast / tail);
      speed.push(run.steps / run.seconds);
      progress(`acting mnist: ${name}, seed ${seed}: ${(right / run.steps).toFixed(3)} right`);
    }
    rows.push({
      method: name,
      seeds: seeds.length,
      right: meanRange(all),
      [`right, last ${tail}`]: meanRange(last),
      'steps/s': meanRange(speed),
      perSeed: all,
      perSeedLast: last,
      stepsPerSecond: speed,
    });
  }
  printTable(
    `MNIST contextual bandit (MnistBandit-v0): ${rounds} rounds, seeds ${seeds.join(',')}; mean (min–max) over seeds`,
    rows,
    ['method', 'seeds', 'right', `right, last ${tail}`, 'steps/s'],
  );
  return rows;
}
