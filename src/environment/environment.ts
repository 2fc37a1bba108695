// The environment contract, after Gymnasium: `reset({seed})` gives the first observation,
// `step(action)` the next one with reward, `terminated` (the episode reached an end state) and
// `truncated` (cut short from outside, e.g. a time limit). Passive environments (sequence
// sources) have `actionSpace === null` and take no action.

import type { Space, SpaceValue } from './space.js';

export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Reseeds the environment's generator; the same seed gives the same episodes. */
  readonly seed?: number;
}

export interface ResetResult<O extends SpaceValue = SpaceValue> {
  readonly observation: O;
  readonly info: Info;
}

export interface StepResult<O extends SpaceValue = SpaceValue> {
  readonly observation: O;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly info: Info;
}

/** Static facts about an environment, set by the registry. */
export interface EnvironmentSpec {
  readonly id: string;
  readonly description: string;
  /** Options the environment was made with (after defaults). */
  readonly options: Readonly<Record<string, unknown>>;
}

/** An environment's whole state as plain data (objects, arrays, numbers, strings, typed arrays). */
export type EnvironmentState = unknown;

export interface Environment<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> {
  readonly observationSpace: Space;
  /** `null` for a passive environment that takes no action. */
  readonly actionSpace: Space | null;
  spec?: EnvironmentSpec;
  reset(options?: ResetOptions): ResetResult<O>;
  step(action?: A): StepResult<O>;
  close?(): void;
  /**
   * Optional: everything the next steps depend on (its generator, the episode so far, whether one
   * is running), so that a run saved at any step, mid-episode too, resumes exactly: after
   * `other.setState(env.getState())` both give the same results for the same calls. `undefined`
   * when this instance cannot give it (a wrapper around an environment without one). Without it,
   * a resumed run replays the steps from the first seeded reset (see `saveRun`).
   */
  getState?(): EnvironmentState | undefined;
  /**
   * Restores a state from `getState` of an environment made the same way. A state it cannot take
   * is a CheckpointError (ERR_CHECKPOINT_CORRUPT if malformed, ERR_CHECKPOINT_MISMATCH if another
   * environment's), and changes nothing.
   */
  setState?(state: EnvironmentState): void;
}

/**
 * The whole state of `env` if it can give one: it has both `getState` and `setState`, its
 * `getState` gives a value and, for a wrapper (an environment with an `inner` one), the
 * environments inside can too. Otherwise undefined: the state would not be the whole of it.
 */
export function wholeState(env: Environment): EnvironmentState | undefined {
  if (!canGiveState(env)) return undefined;
  return env.getState!();
}

/** Whether `env`, and every environment it wraps (its `inner` one, and so on), has `getState` and `setState`. */
export function canGiveState(env: Environment): boolean {
  let e: Partial<Environment> = env;
  for (;;) {
    if (typeof e.getState !== 'function' || typeof e.setState !== 'function') return false;
    const inner = (e as { inner?: unknown }).inner as Partial<Environment> | null | undefined;
    // A field named `inner` that is not an environment (a grammar's inner state) is no wrapping.
    if (typeof inner !== 'object' || inner === null || typeof inner.reset !== 'function') return true;
    e = inner;
  }
}

/**
 * Conventions for `info` that tprop's metrics read (all optional):
 * - `legalNext: number[]`: the symbols that may legally follow this observation (grammars);
 * - `critical: boolean`: the next observation is the long-range dependency of the task
 *   (the embedded Reber grammar's repeated symbol);
 * - `labelStep: boolean`: this step carries the label of the sequence (temporal order, adding).
 */
export type InfoConventions = {
  legalNext?: number[];
  critical?: boolean;
  labelStep?: boolean;
};

export type EnvironmentFactory = (options?: Record<string, unknown>) => Environment;
