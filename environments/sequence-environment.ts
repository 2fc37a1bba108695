// The life cycle every built-in sequence source shares: passive (no action), seeded through
// `reset({seed})`, `step` only between a reset and the end of the episode, reward always 0; and
// its state (generator, phase, the running episode) saved and restored exactly, mid-episode too.

import type {
  Environment,
  EnvironmentSpec,
  Info,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { CheckpointError, InvalidOptionError, StateError, describeValue } from '../src/errors.js';
import { Rng, type RngState, checkRngState } from '../src/random.js';
import { corruptState, stateRecord } from '../src/checkpoint/state-checks.js';
import type { Space, SpaceValue } from '../src/environment/space.js';

/** What a subclass emits on reset or step; `terminated`/`truncated` end the episode. */
export interface Emission<O> {
  readonly observation: O;
  readonly info?: Info;
  readonly terminated?: boolean;
  readonly truncated?: boolean;
}

/** What `getState` gives: the generator, the phase, and the running episode's own fields. */
export interface SequenceEnvironmentState {
  /** The class's name, e.g. 'ReberGrammar': a state is only restored into its own kind. */
  readonly environment: string;
  readonly rng: RngState;
  readonly phase: 'fresh' | 'running' | 'ended';
  /** `saveEpisode()` while an episode runs; null otherwise (the next reset draws a new one). */
  readonly episode: Record<string, unknown> | null;
}

const PHASES = ['fresh', 'running', 'ended'] as const;

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

  /**
   * The whole state, plain data; undefined for a subclass that does not implement `saveEpisode`.
   * Episodes after the state continue the saved generator, so a restored copy goes on exactly.
   */
  getState(): SequenceEnvironmentState | undefined {
    const episode = this.phase === 'running' ? this.saveEpisode() : null;
    if (episode === undefined) return undefined;
    return { environment: this.name, rng: this.rng.getState(), phase: this.phase, episode };
  }

  /**
   * Restores a state from `getState` of the same kind of environment, made with the same options.
   * Checked whole first: another kind is ERR_CHECKPOINT_MISMATCH, anything malformed
   * ERR_CHECKPOINT_CORRUPT naming the part, and either changes nothing.
   */
  setState(state: SequenceEnvironmentState): void {
    const where = `${this.name}.setState`;
    const record = stateRecord(where, 'the state', state, ['environment', 'rng', 'phase', 'episode']);
    if (record.environment !== this.name) {
      throw new CheckpointError(
        'ERR_CHECKPOINT_MISMATCH',
        `${where}: expected the state of a ${this.name}, but got one of ${describeValue(record.environment)}`,
      );
    }
    const rng = checkRngState(record.rng, where, 'rng');
    const phase = record.phase as SequenceEnvironmentState['phase'];
    if (!PHASES.includes(phase)) corruptState(where, 'phase', `one of ${PHASES.join(', ')}`, phase);
    let restore = (): void => undefined;
    if (phase === 'running') restore = this.loadEpisode(stateRecord(where, 'episode', record.episode), where);
    else if (record.episode !== null) corruptState(where, 'episode', `null in phase ${phase}`, record.episode);
    restore();
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.phase = phase;
  }

  /**
   * The running episode's own fields (everything `advance` reads), plain data; undefined, the
   * default, for a subclass that cannot give them, which then has no state to save.
   */
  protected saveEpisode(): Record<string, unknown> | undefined {
    return undefined;
  }

  /**
   * Checks fields from `saveEpisode` (throwing CheckpointError through the state checks, naming
   * `episode.<field>`) and returns what writes them, so that nothing changes unless all is well.
   */
  protected loadEpisode(_episode: Record<string, unknown>, where: string): () => void {
    throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${where}: expected an environment that can restore state`);
  }

  /** Starts an episode and returns its first observation. */
  protected abstract begin(rng: Rng): Emission<O>;

  /** Returns the next observation of the running episode. */
  protected abstract advance(rng: Rng): Emission<O>;
}
