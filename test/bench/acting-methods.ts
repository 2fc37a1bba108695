// The methods of the acting bench behind one face, and the loop that drives any of them through an
// environment's episodes: the TP acting agent (an Agent: it observes every transition, the first
// of each episode with `first: true`, before each act()), the DQN baseline, the ε-greedy linear
// contextual bandit and a uniformly random policy.

import { ActingAgent, type ActingAgentOptions } from '../../agents/acting-agent.js';
import { Dqn, type DqnOptions } from '../../src/baselines/dqn.js';
import { LinearEpsilonGreedy, type LinearEpsilonGreedyOptions } from '../../src/baselines/linear-epsilon-greedy.js';
import type { Environment, StepResult } from '../../src/environment/environment.js';
import { Rng } from '../../src/random.js';

/** What a method is to the loop: it sees each reset and each step, and picks every action. */
export interface Method {
  /** An episode begins with `observation` (from reset). */
  begin(observation: Float32Array): void;
  act(): number;
  /** What the environment answered to `action`. */
  learn(action: number, result: StepResult<Float32Array>): void;
  /** Figures of the method's own over the run (the TP agent's command gap). */
  extra(): Record<string, number | null>;
  dispose(): void;
}

/** Makes a method for an environment's observation size and action count, seeded by the run. */
export type MethodFactory = (env: Environment<Float32Array, number>, seed: number) => Method;

export interface LoopResult {
  /** Per episode that ended within the budget, the sum of its rewards. */
  readonly returns: number[];
  /** Per such episode, whether it ended with `info.success` (KeyDoor's door). */
  readonly successes: boolean[];
  /** Per such episode, the run's step count when it ended. */
  readonly ends: number[];
  readonly steps: number;
  readonly seconds: number;
  readonly extra: Record<string, number | null>;
}

/**
 * Runs `method` on `env` (reset with `seed` first) until `steps` steps or `episodes` episodes,
 * whichever comes first; `onStep` sees every step's result. The method is disposed at the end.
 */
export function runMethod(
  env: Environment<Float32Array, number>,
  method: Method,
  options: {
    seed: number;
    steps: number;
    episodes?: number;
    onStep?: (result: StepResult<Float32Array>, step: number) => void;
  },
): LoopResult {
  const returns: number[] = [];
  const successes: boolean[] = [];
  const ends: number[] = [];
  const started = performance.now();
  let steps = 0;
  let sum = 0;
  method.begin(env.reset({ seed: options.seed }).observation);
  while (steps < options.steps && returns.length < (options.episodes ?? Infinity)) {
    const action = method.act();
    const result = env.step(action);
    steps++;
    sum += result.reward;
    method.learn(action, result);
    options.onStep?.(result, steps);
    if (result.terminated || result.truncated) {
      returns.push(sum);
      successes.push(result.info.success === true);
      ends.push(steps);
      sum = 0;
      method.begin(env.reset().observation);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const extra = method.extra();
  method.dispose();
  return { returns, successes, ends, steps, seconds, extra };
}

/** The TP acting agent; 'acting/commandGap' is read every 100 steps and averaged over the run. */
export function tpMethod(options: ActingAgentOptions): MethodFactory {
  return (env, seed) => {
    const agent = new ActingAgent(env.observationSpace, { ...options, seed }, env.actionSpace ?? undefined);
    let step = 0;
    let episode = -1;
    let gapSum = 0;
    let gapCount = 0;
    const base = { info: {}, terminated: false, truncated: false };
    return {
      begin(observation) {
        episode++;
        agent.observe({ ...base, step: step++, episode, observation, reward: 0, first: true });
      },
      act: () => agent.act(),
      learn(_action, r) {
        const transition = { ...r, step: step++, episode, first: false };
        agent.observe(transition);
        if (step % 100 === 0) {
          const gap = agent.metrics()['acting/commandGap'];
          if (gap !== undefined && Number.isFinite(gap)) {
            gapSum += gap;
            gapCount++;
          }
        }
      },
      extra: () => ({ commandGap: gapCount === 0 ? null : gapSum / gapCount }),
      dispose: () => agent.dispose(),
    };
  };
}

/** A policy that acts on the observation and learns from (observation, action, reward, next). */
function observationMethod(
  act: (observation: Float32Array) => number,
  learn: (observation: Float32Array, action: number, r: StepResult<Float32Array>) => void,
  dispose: () => void,
): Method {
  let observation: Float32Array = new Float32Array(0);
  return {
    begin(o) {
      observation = o;
    },
    act: () => act(observation),
    learn(action, r) {
      learn(observation, action, r);
      observation = r.observation;
    },
    extra: () => ({}),
    dispose,
  };
}

/** The DQN baseline; `terminated` (not a time limit) cuts the bootstrap. */
export function dqnMethod(options: Omit<DqnOptions, 'observationSize' | 'actions' | 'seed'>): MethodFactory {
  return (env, seed) => {
    const dqn = new Dqn({ ...options, observationSize: sizeOf(env), actions: actionsOf(env), seed });
    return observationMethod(
      (o) => dqn.act(o),
      (o, a, r) => dqn.observe(o, a, r.reward, r.observation, r.terminated),
      () => dqn.dispose(),
    );
  };
}

/** The ε-greedy linear contextual bandit (each step is a round: the reward is the action's). */
export function linearMethod(options: Omit<LinearEpsilonGreedyOptions, 'arms' | 'features' | 'seed'>): MethodFactory {
  return (env, seed) => {
    const policy = new LinearEpsilonGreedy({ ...options, arms: actionsOf(env), features: sizeOf(env), seed });
    return observationMethod(
      (o) => policy.act(o),
      (o, a, r) => policy.update(o, a, r.reward),
      () => policy.dispose(),
    );
  };
}

/** Uniformly random actions. */
export const randomMethod: MethodFactory = (env, seed) => {
  const rng = new Rng(seed);
  const n = actionsOf(env);
  return observationMethod(
    () => rng.int(n),
    () => {},
    () => {},
  );
};

function sizeOf(env: Environment<Float32Array, number>): number {
  const space = env.observationSpace;
  if (space.kind !== 'box') throw new Error(`acting bench: expected a box observation space, got ${space.kind}`);
  return space.shape.reduce((a, b) => a * b, 1);
}

function actionsOf(env: Environment<Float32Array, number>): number {
  const space = env.actionSpace;
  if (space?.kind !== 'discrete') throw new Error('acting bench: expected a discrete action space');
  return space.n;
}
