// Runs of bandit policies on the 10-armed testbed, averaged per step over many independent runs
// (each run its own seeded testbed), as in Sutton and Barto's figures 2.2 to 2.4.

import { TenArmedTestbed } from '../../environments/ten-armed-testbed.js';
import type { BanditPolicy } from '../../src/baselines/bandit-policy.js';

export interface BanditCurves {
  /** Per step, the reward averaged over runs. */
  readonly reward: Float64Array;
  /** Per step, the share of runs that pulled an optimal arm. */
  readonly optimal: Float64Array;
}

/** `runs` runs of `steps` pulls, the testbed of run i seeded `seed + i`, the policy reset between runs. */
export function banditCurves(
  policy: BanditPolicy,
  options: { runs: number; steps: number; drift: number; seed: number },
): BanditCurves {
  const { runs, steps, drift, seed } = options;
  const reward = new Float64Array(steps);
  const optimal = new Float64Array(steps);
  const env = new TenArmedTestbed({ arms: policy.arms, length: steps, drift });
  for (let i = 0; i < runs; i++) {
    env.reset({ seed: seed + i });
    policy.reset();
    for (let t = 0; t < steps; t++) {
      const action = policy.act();
      const result = env.step(action);
      policy.update(action, result.reward);
      reward[t] += result.reward / runs;
      if (result.info.optimal) optimal[t] += 1 / runs;
    }
  }
  return { reward, optimal };
}

/** The mean of `values[from..to)`. */
export function meanOf(values: Float64Array, from = 0, to = values.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i]!;
  return s / (to - from);
}
