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

/** Where a run stands between two transitions: what a loop needs to continue it (see `resume`). */
export interface RunPosition {
  /** Transitions taken so far: the next one is numbered `step`. */
  readonly step: number;
  /** Episodes finished so far: the next transition belongs to episode `episode`. */
  readonly episode: number;
  /** The last transition while its episode goes on (the next call is a step); null when the next is a reset. */
  readonly last: Transition | null;
}

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
  /**
   * Continue a run from this position, the environment already in the state it was in there
   * (restored with `setState`, or replayed): transitions are numbered on from it, the first call is
   * a step when `last` is set, else a reset (seeded only if nothing was taken yet), and `steps`
   * and `episodes` count from it. The default policy's draws start anew. Default: a new run.
   */
  readonly resume?: RunPosition;
}

/** The options after validation, limits as numbers (Infinity for none). */
export interface TransitionLoopOptions {
  readonly seed: number | undefined;
  readonly steps: number;
  readonly episodes: number;
  readonly policy: Policy | undefined;
  readonly resume: RunPosition | undefined;
}

export const ENVIRONMENT_TRANSITIONS_KEYS: readonly string[] = ['seed', 'steps', 'episodes', 'policy', 'resume'];

/** Validates a run position given as option `name` of `where` (InvalidOptionError naming the part). */
export function checkRunPosition(where: string, value: unknown, name = 'resume'): RunPosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(
      `${where}: expected option "${name}" to be { step, episode, last }, but got ${describeValue(value)}`,
    );
  }
  const o = value as Record<string, unknown>;
  const step = numberOption(where, `${name}.step`, o.step, NaN, { integer: true, min: 0 });
  const episode = numberOption(where, `${name}.episode`, o.episode, NaN, { integer: true, min: 0 });
  if (episode > step) {
    throw new InvalidOptionError(
      `${where}: expected option "${name}" to have at most one episode per step, but got episode ${episode} at ` +
        `step ${step}`,
    );
  }
  const last = o.last;
  if (last === null || last === undefined) return { step, episode, last: null };
  const t = last as Partial<Transition>;
  if (typeof last !== 'object' || Array.isArray(last)) {
    throw new InvalidOptionError(
      `${where}: expected option ${name}.last to be null or the last transition, but got ${describeValue(last)}`,
    );
  }
  const expected = `step ${step - 1}, episode ${episode}, not ended`;
  if (t.step !== step - 1 || t.episode !== episode || t.terminated === true || t.truncated === true) {
    throw new InvalidOptionError(
      `${where}: expected option ${name}.last.step to be ${step - 1} (${expected}), but got step ` +
        `${describeValue(t.step)}, episode ${describeValue(t.episode)}`,
    );
  }
  return { step, episode, last: last as Transition };
}

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
  const resume = o.resume === undefined ? undefined : checkRunPosition(where, o.resume);
  return { seed, steps, episodes, policy: o.policy, resume };
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
  const { seed, steps, episodes, resume } = options;
  const actionSpace = env.actionSpace;
  let policy = options.policy;
  if (actionSpace !== null && policy === undefined) {
    // A fork, so the policy's draws are not the environment's own stream under the same seed.
    const rng = new Rng(seed ?? 0).fork();
    policy = () => sample(actionSpace, rng);
  }
  // The run's counters go on from a resumed position; the limits count this loop's own.
  let step = resume?.step ?? 0;
  let episode = resume?.episode ?? 0;
  let taken = 0;
  let finished = 0;
  let previous: Transition | undefined = resume?.last ?? undefined;
  let needsReset = previous === undefined;
  while (taken < steps && finished < episodes) {
    let transition: Transition;
    if (needsReset) {
      const reset = checkedReset(env.reset(step === 0 && seed !== undefined ? { seed } : undefined), step);
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
      const result = checkedStep(actionSpace === null ? env.step() : env.step(policy!(previous!)), step);
      transition = {
        step,
        episode,
        observation: result.observation,
        reward: result.reward,
        terminated: result.terminated,
        truncated: result.truncated,
        info: result.info ?? {},
        first: false,
      };
    }
    step++;
    taken++;
    if (transition.terminated || transition.truncated) {
      finished++;
      episode++;
      needsReset = true;
    }
    previous = transition;
    yield transition;
  }
}

/** A result that is not even an object is the environment's fault, not a TypeError later. */
function record(result: unknown, method: string, step: number): Record<string, unknown> {
  if (typeof result !== 'object' || result === null) {
    throw new EnvironmentError(
      `Environment.${method}: expected a result object, but got ${describeValue(result)} (transition ${step} of the ` +
        `run)`,
    );
  }
  const info = (result as { info?: unknown }).info;
  if (info !== undefined && (typeof info !== 'object' || info === null || Array.isArray(info))) {
    throw new EnvironmentError(
      `Environment.${method}: expected "info" to be an object, but got ${describeValue(info)} (transition ${step} ` +
        `of the run)`,
    );
  }
  return result as Record<string, unknown>;
}

function checkedReset(result: unknown, step: number): ResetResult {
  return record(result, 'reset', step) as unknown as ResetResult;
}

/**
 * Every step result of a run is checked, not only those the up-front check saw: a flag that is
 * not a boolean (1, "yes") would otherwise read as false and the episode would never end.
 */
function checkedStep(result: unknown, step: number): StepResult {
  const r = record(result, 'step', step);
  const at = ` (transition ${step} of the run)`;
  for (const flag of ['terminated', 'truncated'] as const) {
    if (typeof r[flag] !== 'boolean') {
      throw new EnvironmentError(
        `Environment.step: expected "${flag}" to be a boolean, but got ${describeValue(r[flag])}${at}`,
      );
    }
  }
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) {
    throw new EnvironmentError(
      `Environment.step: expected "reward" to be a finite number, but got ${describeValue(r.reward)}${at}`,
    );
  }
  return r as unknown as StepResult;
}
