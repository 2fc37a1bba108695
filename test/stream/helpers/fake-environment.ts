// A stand-in environment for the stream tests: symbols 0..n-1 in turn, episodes of a fixed
// length, optional actions, NaNs and failures on marked steps, and a record of every call.

import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../../../src/environment/environment.js';
import { EnvironmentError, StateError } from '../../../src/errors.js';
import { assertInSpace, discrete } from '../../../src/environment/space.js';
import type { Space, SpaceValue } from '../../../src/environment/space.js';

export interface FakeEnvironmentOptions {
  /** Observations per episode, the reset one included; the last one is `terminated`. Default 4. */
  readonly episodeLength?: number;
  /** Size of the symbol space. Default 4. */
  readonly symbols?: number;
  /** Default null (passive). */
  readonly actionSpace?: Space | null;
  /** Run-wide transition indices whose observation is NaN. */
  readonly nanAt?: readonly number[];
  /** The run-wide transition index whose `step` throws (an EnvironmentError unless `error` is given). */
  readonly throwAt?: number;
  readonly error?: Error;
}

export class FakeEnvironment implements Environment<number> {
  readonly observationSpace: Space;
  readonly actionSpace: Space | null;
  spec?: EnvironmentSpec = { id: 'Fake-v0', description: 'stand-in', options: {} };
  resetSeeds: Array<number | undefined> = [];
  stepCalls = 0;
  closeCalls = 0;
  readonly actions: SpaceValue[] = [];
  private index = 0;
  private t = 0;
  private ended = true;

  constructor(private readonly options: FakeEnvironmentOptions = {}) {
    this.observationSpace = discrete(options.symbols ?? 4);
    this.actionSpace = options.actionSpace ?? null;
  }

  get resetCalls(): number {
    return this.resetSeeds.length;
  }

  reset(options?: ResetOptions): ResetResult<number> {
    this.resetSeeds.push(options?.seed);
    this.t = 0;
    this.ended = false;
    return { observation: this.emit(), info: { reset: true } };
  }

  step(action?: SpaceValue): StepResult<number> {
    this.stepCalls++;
    if (this.actionSpace !== null) {
      assertInSpace(this.actionSpace, action, 'FakeEnvironment.step: action');
      this.actions.push(action!);
    }
    if (this.ended)
      throw new StateError(
        'ERR_EPISODE_ENDED',
        'FakeEnvironment.step: expected reset() after the episode ended, but got step()',
      );
    if (this.index === this.options.throwAt)
      throw this.options.error ?? new EnvironmentError(`FakeEnvironment.step: marked failure at ${this.index}`);
    this.t++;
    const terminated = this.t === (this.options.episodeLength ?? 4) - 1;
    if (terminated) this.ended = true;
    return { observation: this.emit(), reward: 1, terminated, truncated: false, info: {} };
  }

  close(): void {
    this.closeCalls++;
  }

  private emit(): number {
    const i = this.index++;
    return this.options.nanAt?.includes(i) ? Number.NaN : i % (this.options.symbols ?? 4);
  }
}
