// TimeLimit, after Gymnasium's: cuts every episode short after `maxSteps` steps by setting
// `truncated`, and then holds the wrapped environment to the life cycle (reset before stepping).

import type { Environment, ResetOptions, ResetResult, StepResult } from '../environment/environment.js';
import { InvalidOptionError, StateError } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { SpaceValue } from '../environment/space.js';
import { EnvironmentWrapper } from './environment-wrapper.js';
import { stateBoolean, stateInteger, stateRecord } from '../checkpoint/state-checks.js';

export interface TimeLimitOptions {
  /** Steps per episode (an integer >= 1), the reset not counted. Required. */
  maxSteps: number;
}

/**
 * The step that brings the episode to `maxSteps` steps returns `truncated: true`, unless the
 * inner environment `terminated` on that very step (then its own flags are kept: the episode
 * reached an end state, it was not cut short). Either way the episode is over, and a further
 * `step()` throws StateError ERR_EPISODE_ENDED until `reset()`, even though the inner
 * environment would have gone on. `info` is passed through untouched.
 */
export class TimeLimit extends EnvironmentWrapper {
  readonly maxSteps: number;
  /** Steps since the last reset; null before the first reset. */
  private elapsed: number | null = null;
  private ended = false;

  constructor(env: Environment, options: TimeLimitOptions) {
    super(env);
    checkKeys('TimeLimit', options, ['maxSteps']);
    if (options?.maxSteps === undefined) {
      throw new InvalidOptionError('TimeLimit: expected option "maxSteps" (an integer >= 1), but got none');
    }
    this.maxSteps = numberOption('TimeLimit', 'maxSteps', options.maxSteps, 1, { integer: true, min: 1 });
  }

  /** Steps taken in the current episode (0 right after a reset). */
  get elapsedSteps(): number {
    return this.elapsed ?? 0;
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = super.reset(options);
    this.elapsed = 0;
    this.ended = false;
    return result;
  }

  override step(action?: SpaceValue): StepResult {
    if (this.elapsed === null) {
      throw new StateError(
        'ERR_RESET_NEEDED',
        'TimeLimit.step: expected reset() before the first step, but got step()',
      );
    }
    if (this.ended) {
      throw new StateError(
        'ERR_EPISODE_ENDED',
        'TimeLimit.step: expected reset() after the episode ended, but got step()',
      );
    }
    return super.step(action);
  }

  protected override ownState(): { elapsed: number | null; ended: boolean } {
    return { elapsed: this.elapsed, ended: this.ended };
  }

  protected override loadOwnState(own: unknown, where: string): () => void {
    const record = stateRecord(where, 'own', own, ['elapsed', 'ended']);
    const elapsed =
      record.elapsed === null ? null : stateInteger(where, 'own.elapsed', record.elapsed, 0, this.maxSteps);
    const ended = stateBoolean(where, 'own.ended', record.ended);
    return () => {
      this.elapsed = elapsed;
      this.ended = ended;
    };
  }

  protected override onStep(result: StepResult): StepResult {
    this.elapsed = (this.elapsed ?? 0) + 1;
    const cut = this.elapsed >= this.maxSteps && !result.terminated;
    this.ended = result.terminated || result.truncated || cut;
    return cut ? { ...result, truncated: true } : result;
  }
}
