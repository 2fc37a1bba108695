// The life cycle every built-in sequence source shares: passive (no action), seeded through
// `reset({seed})`, `step` only between a reset and the end of the episode, reward always 0.

import type {
  Environment,
  EnvironmentSpec,
  Info,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { InvalidOptionError, StateError, describeValue } from '../src/errors.js';
import { Rng } from '../src/random.js';
import type { Space, SpaceValue } from '../src/environment/space.js';

/** What a subclass emits on reset or step; `terminated`/`truncated` end the episode. */
export interface Emission<O> {
  readonly observation: O;
  readonly info?: Info;
  readonly terminated?: boolean;
  readonly truncated?: boolean;
}

export abstract class SequenceEnvironment<O extends SpaceValue> implements Environment<O> {
  abstract readonly observationSpace: Space;
  readonly actionSpace: null = null;
  spec?: EnvironmentSpec;
  /**
   * Never reseeded by an unseeded reset, so episodes after the first continue the seeded
   * stream; an environment never seeded draws as if seeded with 0 (no hidden entropy).
   */
  private rng = new Rng(0);
  private phase: 'fresh' | 'running' | 'ended' = 'fresh';

  constructor(protected readonly name: string) {}

  reset(options?: ResetOptions): ResetResult<O> {
    const seed = options?.seed;
    if (seed !== undefined) {
      if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
        throw new InvalidOptionError(
          `${this.name}.reset: expected option "seed" to be an integer, but got ${describeValue(seed)}`,
        );
      }
      this.rng = new Rng(seed);
    }
    const first = this.begin(this.rng);
    this.phase = 'running';
    return { observation: first.observation, info: { ...first.info } };
  }

  step(action?: SpaceValue | null): StepResult<O> {
    if (action !== undefined && action !== null) {
      throw new InvalidOptionError(
        `${this.name}.step: expected no action (a passive environment), but got ${describeValue(action)}`,
      );
    }
    if (this.phase === 'fresh') {
      throw new StateError(
        'ERR_RESET_NEEDED',
        `${this.name}.step: expected reset() before the first step, but got step()`,
      );
    }
    if (this.phase === 'ended') {
      throw new StateError(
        'ERR_EPISODE_ENDED',
        `${this.name}.step: expected reset() after the episode ended, but got step()`,
      );
    }
    const next = this.advance(this.rng);
    const terminated = next.terminated === true;
    const truncated = next.truncated === true;
    if (terminated || truncated) this.phase = 'ended';
    return { observation: next.observation, reward: 0, terminated, truncated, info: { ...next.info } };
  }

  /** Starts an episode and returns its first observation. */
  protected abstract begin(rng: Rng): Emission<O>;

  /** Returns the next observation of the running episode. */
  protected abstract advance(rng: Rng): Emission<O>;
}
