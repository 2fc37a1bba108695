// Acting bench, KeyDoor-v0 (5×5, 100 steps an episode, the reward only at the door with the key):
// the TP acting agent, DQN (CartPole's settings) and a random policy on the same seeds in one
// process with the same step budget. Per method: the share of episodes ending at the door among
// those that end in the last 20% of the budget (random: about 22%, environments/key-door.ts), the
// same over the whole run, and steps per second.

import { KeyDoor } from '../../environments/key-door.js';
import type { ActingAgentOptions } from '../../agents/acting-agent.js';
import { CARTPOLE_DQN_OPTIONS } from './acting-cartpole.js';
import { type MethodFactory, dqnMethod, randomMethod, runMethod, tpMethod } from './acting-methods.js';
import { meanRange, printTable, progress, type Row } from './report.js';

/**
 * The TP acting agent's options here (docs/experiments.md, row P22): the return of the next 4
 * rewards with γ 0.95, then γ⁴ × the highest return inferred for the state reached (n-step
 * Q-learning through the top), so that credit travels past the horizon (the shortest path to the
 * door takes 12 steps: 8 to the key, 4 on to the door); returns enter unscaled; random actions
 * from 100% to 5% over the first 10,000 actions (DQN's schedule), τ 0.02 otherwise.
 */
export const KEYDOOR_TP_OPTIONS: ActingAgentOptions = {
  window: 16,
  horizon: 4,
  discount: 0.95,
  bootstrap: 'max',
  returnScale: 1,
  exploration: { temperature: 0.02, epsilon: 1, finalEpsilon: 0.05, decaySteps: 10_000 },
};

const METHODS: Record<string, MethodFactory> = {
  'tp acting': tpMethod(KEYDOOR_TP_OPTIONS),
  'dqn (Adam 5e-4)': dqnMethod(CARTPOLE_DQN_OPTIONS),
  random: randomMethod,
};

export interface KeyDoorSectionOptions {
  readonly seeds: readonly number[];
  readonly steps: number;
}

/** Runs every method on every seed; prints the table and returns its rows for the JSON. */
export function keyDoorSection(options: KeyDoorSectionOptions): Row[] {
  const { seeds, steps } = options;
  const from = Math.floor(0.8 * steps);
  const rows: Row[] = [];
  for (const [name, make] of Object.entries(METHODS)) {
    const late: number[] = [];
    const all: number[] = [];
    const speed: number[] = [];
    const lateEpisodes: number[] = [];
    for (const seed of seeds) {
      const env = new KeyDoor();
      const run = runMethod(env, make(env, seed), { seed, steps });
      env.close();
      const ended = run.successes.filter((_, e) => run.ends[e]! > from);
      late.push(ended.filter(Boolean).length / Math.max(ended.length, 1));
      all.push(run.successes.filter(Boolean).length / Math.max(run.successes.length, 1));
      lateEpisodes.push(ended.length);
      speed.push(run.steps / run.seconds);
      progress(
        `acting keydoor: ${name}, seed ${seed}: ${ended.length} late episodes, success ${late.at(-1)!.toFixed(3)}`,
      );
    }
    rows.push({
      method: name,
      seeds: seeds.length,
      'success, last 20%': meanRange(late),
      'episodes, last 20%': meanRange(lateEpisodes),
      'success, all': meanRange(all),
      'steps/s': meanRange(speed),
      perSeedLate: late,
      perSeedAll: all,
      stepsPerSecond: speed,
    });
  }
  printTable(`KeyDoor-v0 (5×5, 100 steps): ${steps} steps, seeds ${seeds.join(',')}; mean (min–max) over seeds`, rows, [
    'method',
    'seeds',
    'success, last 20%',
    'episodes, last 20%',
    'success, all',
    'steps/s',
  ]);
  return rows;
}
