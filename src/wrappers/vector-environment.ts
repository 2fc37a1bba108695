// VectorEnvironment, after Gymnasium's SyncVectorEnv: N copies of an environment stepped in lock
// step, seeded seed, seed+1, … and reset automatically when an episode ends ("same-step" mode by
// default; "next-step" mode, Gymnasium 1.0's default, gives one plain transition per copy per step).

import type { Environment, Info } from '../environment/environment.js';
import { InvalidOptionError, StateError, describeValue } from '../errors.js';
import { checkKeys, choiceOption, numberOption } from '../options.js';
import { sameSpace } from '../environment/space.js';
import type { Space, SpaceValue } from '../environment/space.js';

export interface VectorEnvironmentOptions {
  /** How many copies to run (an integer >= 1). Required. */
  copies: number;
  /** Copy i is reset with seed `seed + i` at the first reset. Default 0. */
  seed?: number;
  /**
   * 'same-step' (default): see the class comment. 'next-step': a copy whose episode ended is
   * reset on the following `step()` instead of being stepped; that step's observation is the
   * first of the new episode, with reward 0, both flags false and `info.reset = true`. Every step
   * then carries exactly one transition per copy, which is what a batch learner consumes.
   */
  autoreset?: 'same-step' | 'next-step';
}

/** Builds copy `index` (0 .. copies-1); every copy must have the same spaces. */
export type VectorEnvironmentFactory = (index: number) => Environment;

export interface VectorResetResult {
  readonly observations: SpaceValue[];
  readonly infos: Info[];
}

export interface VectorStepResult {
  /** Per copy: the observation, which is the first of a new episode where the old one ended. */
  readonly observations: SpaceValue[];
  readonly rewards: number[];
  /** Per copy: the episode ended on this step (and the copy has already been reset). */
  readonly terminated: boolean[];
  readonly truncated: boolean[];
  /** Per copy: the step's info or, where an episode ended, the reset's info plus `finalObservation` and `finalInfo`. */
  readonly infos: Info[];
}

/**
 * Autoreset, "same-step" mode: when copy i's episode ends on a step, that step's `terminated[i]`,
 * `truncated[i]` and `rewards[i]` are those of the ending step, the copy is reset (unseeded, so
 * its seeded stream goes on) at once, `observations[i]` is the first observation of the new
 * episode, and `infos[i]` is the reset's info with `finalObservation` (the last observation of
 * the old episode) and `finalInfo` (the last step's info). A flag that is true thus always means
 * "the observation here already belongs to the next episode"; there is no step without a
 * transition, and no copy ever throws ERR_EPISODE_ENDED.
 */
export class VectorEnvironment {
  readonly copies: number;
  readonly seed: number;
  /** The copies, in order; stepping one directly desynchronises the vector. */
  readonly environments: readonly Environment[];
  /** The space of one copy's observation (every copy shares it). */
  readonly observationSpace: Space;
  /** The space of one copy's action, or null for passive environments. */
  readonly actionSpace: Space | null;
  readonly autoreset: 'same-step' | 'next-step';
  private seeded = false;
  private running = false;
  /** next-step mode: copies whose episode ended on the last step. */
  private ended: boolean[] = [];

  constructor(factory: VectorEnvironmentFactory, options: VectorEnvironmentOptions) {
    if (typeof factory !== 'function') {
      throw new InvalidOptionError(`VectorEnvironment: expected a factory function, but got ${describeValue(factory)}`);
    }
    checkKeys('VectorEnvironment', options, ['copies', 'seed', 'autoreset']);
    this.autoreset = choiceOption('VectorEnvironment', 'autoreset', options?.autoreset, 'same-step', [
      'same-step',
      'next-step',
    ] as const);
    if (options?.copies === undefined) {
      throw new InvalidOptionError('VectorEnvironment: expected option "copies" (an integer >= 1), but got none');
    }
    this.copies = numberOption('VectorEnvironment', 'copies', options.copies, 1, { integer: true, min: 1 });
    this.seed = numberOption('VectorEnvironment', 'seed', options.seed, 0, { integer: true });
    const environments: Environment[] = [];
    for (let i = 0; i < this.copies; i++) {
      const env = factory(i) as Partial<Environment> | null;
      if (
        typeof env !== 'object' ||
        env === null ||
        typeof env.reset !== 'function' ||
        typeof env.step !== 'function'
      ) {
        throw new InvalidOptionError(
          `VectorEnvironment: expected the factory to return an environment for copy ${i}, but got ` +
            `${describeValue(env)}`,
        );
      }
      environments.push(env as Environment);
    }
    const first = environments[0]!;
    environments.forEach((env, i) => {
      if (!sameSpace(env.observationSpace, first.observationSpace)) {
        throw new InvalidOptionError(
          `VectorEnvironment: expected copy ${i} to share the observation space of copy 0 ` +
            `${JSON.stringify(first.observationSpace)}, but got ${JSON.stringify(env.observationSpace)}`,
        );
      }
      const same =
        env.actionSpace === null || first.actionSpace === null
          ? env.actionSpace === first.actionSpace
          : sameSpace(env.actionSpace, first.actionSpace);
      if (!same) {
        throw new InvalidOptionError(
          `VectorEnvironment: expected copy ${i} to share the action space of copy 0 ` +
            `${JSON.stringify(first.actionSpace)}, but got ${JSON.stringify(env.actionSpace)}`,
        );
      }
    });
    this.environments = Object.freeze(environments);
    this.observationSpace = first.observationSpace;
    this.actionSpace = first.actionSpace;
  }

  /**
   * Resets every copy. With `seed`, copy i is reseeded with `seed + i`; without, the first reset
   * uses the `seed` option and later ones continue each copy's stream unseeded.
   */
  reset(options: { seed?: number } = {}): VectorResetResult {
    checkKeys('VectorEnvironment.reset', options, ['seed']);
    const given =
      options.seed === undefined
        ? undefined
        : numberOption('VectorEnvironment.reset', 'seed', options.seed, 0, { integer: true });
    const base = given ?? (this.seeded ? undefined : this.seed);
    const observations: SpaceValue[] = [];
    const infos: Info[] = [];
    this.running = false;
    this.environments.forEach((env, i) => {
      const result = env.reset(base === undefined ? undefined : { seed: base + i });
      observations.push(result.observation);
      infos.push(result.info);
    });
    this.seeded = true;
    this.running = true;
    this.ended = new Array(this.copies).fill(false);
    return { observations, infos };
  }

  /** Steps every copy with its action (`actions[i]`; none for passive environments). */
  step(actions?: readonly SpaceValue[]): VectorStepResult {
    if (!this.running) {
      throw new StateError(
        'ERR_RESET_NEEDED',
        'VectorEnvironment.step: expected reset() before stepping (first, or after a copy threw), but got step()',
      );
    }
    if (this.actionSpace === null && actions !== undefined) {
      throw new InvalidOptionError(
        `VectorEnvironment.step: expected no actions (passive environments), but got ${describeValue(actions)}`,
      );
    }
    if (this.actionSpace !== null && (!Array.isArray(actions) || actions.length !== this.copies)) {
      throw new InvalidOptionError(
        `VectorEnvironment.step: expected an array of ${this.copies} actions, but got ${describeValue(actions)}`,
      );
    }
    const out = {
      observations: [] as SpaceValue[],
      rewards: [] as number[],
      terminated: [] as boolean[],
      truncated: [] as boolean[],
      infos: [] as Info[],
    };
    try {
      this.environments.forEach((env, i) => {
        if (this.autoreset === 'next-step' && this.ended[i]) {
          const next = env.reset();
          this.ended[i] = false;
          out.observations.push(next.observation);
          out.rewards.push(0);
          out.terminated.push(false);
          out.truncated.push(false);
          out.infos.push({ ...next.info, reset: true });
          return;
        }
        const result = env.step(actions?.[i]);
        out.rewards.push(result.reward);
        out.terminated.push(result.terminated);
        out.truncated.push(result.truncated);
        if (this.autoreset === 'next-step') {
          this.ended[i] = result.terminated || result.truncated;
          out.observations.push(result.observation);
          out.infos.push(result.info);
        } else if (result.terminated || result.truncated) {
          const next = env.reset();
          out.observations.push(next.observation);
          out.infos.push({ ...next.info, finalObservation: result.observation, finalInfo: result.info });
        } else {
          out.observations.push(result.observation);
          out.infos.push(result.info);
        }
      });
    } catch (error) {
      // Some copies stepped and some did not: only a reset brings them back in step.
      this.running = false;
      throw error;
    }
    return out;
  }

  /** Closes every copy. */
  close(): void {
    this.running = false;
    for (const env of this.environments) env.close?.();
  }
}
