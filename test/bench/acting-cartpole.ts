// Acting bench, CartPole-v1: the TP acting agent beside DQN (docs/experiments.md row D3: the
// defaults with Adam 5e-4, which reached 195 on 3 of 3 seeds in 100k steps) and random, each on
// the same seeds in one process with the same budget (episodes or steps, whichever ends first).
// Per method: the episode at which the mean return over 100 consecutive episodes first reaches 195
// (exploration included), how many seeds reach 475 within 1,000 episodes, the final 100-episode
// mean, steps per second and, for TP, the mean gap between commanded and achieved return.
// Returns per episode go to the JSON (for acting-plot.ts).
import { CartPole } from '../../environments/cart-pole.js';
import type { ActingAgentOptions } from '../../agents/acting-agent.js';
import { type MethodFactory, dqnMethod, randomMethod, runMethod, tpMethod } from './acting-methods.js';
import { meanRange, printTable, progress, type Row } from './report.js';

/**
 * The TP acting agent's options here (docs/experiments.md, row P23): the return of the next 3
 * rewards with γ 0.95, then γ³ × the highest return inferred for the state reached (n-step
 * Q-learning through the top); returns enter unscaled; random actions from 100% to 5% over the
 * first 10,000 actions (DQN's schedule), τ 0.02 otherwise; decoders at 5e-4 (row P15).
 */
export const CARTPOLE_TP_OPTIONS: ActingAgentOptions = {
  horizon: 3,
  window: 16,
  discount: 0.95,
  bootstrap: 'max',
  returnScale: 1,
  decoderOptimizer: { learningRate: 5e-4 },
  exploration: { temperature: 0.02, epsilon: 1, finalEpsilon: 0.05, decaySteps: 10_000 },
};

/** DQN as row D3 of docs/experiments.md. */
export const CARTPOLE_DQN_OPTIONS = { learningRate: 5e-4 } as const;

const METHODS: Record<string, MethodFactory> = {
  'tp acting': tpMethod(CARTPOLE_TP_OPTIONS),
  'dqn (Adam 5e-4)': dqnMethod(CARTPOLE_DQN_OPTIONS),
  // The floor: a uniformly random policy's returns average about 22.
  random: randomMethod,
};

export interface CartPoleSectionOptions {
  readonly seeds: readonly number[];
  readonly episodes: number;
  readonly steps: number;
}

export interface CartPoleRun {
  readonly method: string;
  readonly seed: number;
  readonly returns: readonly number[];
}

/** The first episode (1-based) at which the mean of the last 100 returns is at least `level`, or null. */
export function episodesTo(returns: readonly number[], level: number, within = Infinity): number | null {
  let sum = 0;
  for (let e = 0; e < Math.min(returns.length, within); e++) {
    sum += returns[e]!;
    if (e >= 100) sum -= returns[e - 100]!;
    if (e >= 99 && sum / 100 >= level) return e + 1;
  }
  return null;
}

/** Runs every method on every seed; prints the table and returns its rows and every run's returns. */
export function cartPoleSection(options: CartPoleSectionOptions): { rows: Row[]; runs: CartPoleRun[] } {
  const { seeds, episodes, steps } = options;
  const rows: Row[] = [];
  const runs: CartPoleRun[] = [];
  for (const [name, make] of Object.entries(METHODS)) {
    const to195: (number | null)[] = [];
    const final: number[] = [];
    const speed: number[] = [];
    const gaps: number[] = [];
    let reached475 = 0;
    for (const seed of seeds) {
      const env = new CartPole();
      const run = runMethod(env, make(env, seed), { seed, steps, episodes });
      env.close();
      runs.push({ method: name, seed, returns: run.returns });
      to195.push(episodesTo(run.returns, 195));
      if (episodesTo(run.returns, 475, 1000) !== null) reached475++;
      const tail = run.returns.slice(-100);
      final.push(tail.reduce((a, b) => a + b, 0) / Math.max(tail.length, 1));
      speed.push(run.steps / run.seconds);
      if (typeof run.extra.commandGap === 'number') gaps.push(run.extra.commandGap);
      progress(
        `acting cartpole: ${name}, seed ${seed}: ${run.returns.length} episodes, ${run.steps} steps, ` +
          `195 at ${to195.at(-1) ?? 'never'}, final mean ${final.at(-1)!.toFixed(1)}`,
      );
    }
    rows.push({
      method: name,
      seeds: seeds.length,
      'episodes to 195': to195.map((e) => (e === null ? 'never' : String(e))).join(' '),
      '195 reached': `${to195.filter((e) => e !== null).length}/${seeds.length}`,
      '475 in 1000 ep.': `${reached475}/${seeds.length}`,
      'final 100-ep. mean': meanRange(final),
      'steps/s': meanRange(speed),
      'command gap': gaps.length === 0 ? null : meanRange(gaps),
      episodesTo195: to195.map((e) => e ?? Number.NaN),
      finalMeans: final,
      stepsPerSecond: speed,
    });
  }
  printTable(
    `CartPole-v1: up to ${episodes} episodes or ${steps} steps, seeds ${seeds.join(',')}; ` +
      'figures per seed, or mean (min–max) over seeds',
    rows,
    [
      'method',
      'seeds',
      'episodes to 195',
      '195 reached',
      '475 in 1000 ep.',
      'final 100-ep. mean',
      'steps/s',
      'command gap',
    ],
  );
  return { rows, runs };
}
