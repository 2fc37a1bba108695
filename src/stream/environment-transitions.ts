// The plain loop over an environment: reset, step, reset again after each episode, as a
// synchronous generator of Transitions. Benches iterate it directly; `fromEnvironment` wraps it.

import type { Transition } from '../agent/agent.js';
import type { Environment, ResetResult, StepResult } from '../environment/environment.js';
import { EnvironmentError, InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { sample } from '../environment/space.js';
import type { SpaceValue } from '../environment/space.js';

/** Chooses the action to take after `transition` (used only when the environment has actions). */
export type Policy = (transition: Transition) => SpaceValue;

export interface EnvironmentTransitionsOptions {
  /** Seed of the first `reset` (later resets continue that stream). Default: none, the environment's own default. */
  readonly seed?: number;
  /** Stop after this many transitions, the reset ones included (integer >= 0). Default: no limit. */
  readonly steps?: number;
  /** Stop after this many finished episodes (integer >= 0). Default: no limit. */
  readonly episodes?: number;
  /**
   * The action after each transition. Default: a uniform sample of the action space, seeded from `seed` (0 without
   * one).
   */
  readonly policy?: Policy;
}

/** The options after validation, limits as numbers (Infinity for none). */
export interface TransitionLoopOptions {
  readonly seed: number | undefined;
  readonly steps: number;
  readonly episodes: number;
  readonly policy: Policy | undefined;
}

export const ENVIRONMENT_TRANSITIONS_KEYS: readonly string[] = ['seed', 'steps', 'episodes', 'policy'];

/** Validates the loop options of `where` (an InvalidOptionError names the option); `extra` are keys the caller adds. */
export function transitionLoopOptions(
  where: string,
  options: EnvironmentTransitionsOptions,
  extra: readonly string[] = [],
): TransitionLoopOptions {
  checkKeys(where, options, [...ENVIRONMENT_TRANSITIONS_KEYS, ...extra]);
  const o = options ?? {};
  const seed = o.seed === undefined ? undefined : numberOption(where, 'seed', o.seed, 0, { integer: true });
  const steps = o.steps === undefined ? Infinity : numberOption(where, 'steps', o.steps, 0, { integer: true, min: 0 });
  const episodes =
    o.episodes === undefined ? Infinity : numberOption(where, 'episodes', o.episodes, 0, { integer: true, min: 0 });
  if (o.policy !== undefined && typeof o.policy !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected option "policy" to be a function, but got ${describeValue(o.policy)}`,
    );
  }
  return { seed, steps, episodes, policy: o.policy };
}

/**
 * Yields the reset observation (`first: true`), then one transition per `env.step`, resetting
 * after `terminated || truncated`, until `steps` transitions or `episodes` finished episodes.
 * The environment is stepped lazily: only when the next transition is asked for, so a consumer
 * that stops iterating causes no further step. Options are checked at the call, not on the
 * first `next()`.
 */
export function environmentTransitions(
  env: Environment,
  options: EnvironmentTransitionsOptions = {},
): Generator<Transition, void, undefined> {
  const o = transitionLoopOptions('environmentTransitions', options);
  return transitionLoop(env, o);
}

/** The loop over options already validated (for callers that validated them once themselves). */
export function* transitionLoop(
  env: Environment,
  options: TransitionLoopOptions,
): Generator<Transition, void, undefined> {
  const { seed, steps, episodes } = options;
  const actionSpace = env.actionSpace;
  let policy = options.policy;
  if (actionSpace !== null && policy === undefined) {
    // A fork, so the policy's draws are not the environment's own stream under the same seed.
    const rng = new Rng(seed ?? 0).fork();
    policy = () => sample(actionSpace, rng);
  }
  let step = 0;
  let episode = 0;
  let finished = 0;
  let needsReset = true;
  let previous: Transition | undefined;
  while (step < steps && finished < episodes) {
    let transition: Transition;
    if (needsReset) {
      const reset = checked<ResetResult>(
        env.reset(episode === 0 && seed !== undefined ? { seed } : undefined),
        'reset',
      );
      transition = {
        step,
        episode,
        observation: reset.observation,
        reward: 0,
        terminated: false,
        truncated: false,
        info: reset.info ?? {},
        first: true,
      };
      needsReset = false;
    } else {
      const result = checked<StepResult>(actionSpace === null ? env.step() : env.step(policy!(previous!)), 'step');
      transition = {
        step,
        episode,
        observation: result.observation,
        reward: result.reward,
        terminated: result.terminated === true,
        truncated: result.truncated === true,
        info: result.info ?? {},
        first: false,
      };
    }
    step++;
    if (transition.terminated || transition.truncated) {
      finished++;
      episode++;
      needsReset = true;
    }
    previous = transition;
    yield transition;
  }
}

/** Turns a result that is not even an object into the environment's fault, not a TypeError later. */
function checked<R>(result: unknown, method: string): R {
  if (typeof result !== 'object' || result === null) {
    throw new EnvironmentError(`Environment.${method}: expected a result object, but got ${describeValue(result)}`);
  }
  return result as R;
}
