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

export interface Environment<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue> {
  readonly observationSpace: Space;
  /** `null` for a passive environment that takes no action. */
  readonly actionSpace: Space | null;
  spec?: EnvironmentSpec;
  reset(options?: ResetOptions): ResetResult<O>;
  step(action?: A): StepResult<O>;
  close?(): void;
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
