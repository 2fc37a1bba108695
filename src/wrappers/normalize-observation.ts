// NormalizeObservation, after Gymnasium's: standardises box observations (and the box parts of a
// dict) with a running mean and variance, updated online, one observation at a time.

import {
  type Environment,
  type EnvironmentState,
  type ResetOptions,
  type ResetResult,
  canGiveState,
  wholeState,
} from '../environment/environment.js';
import { CheckpointError, InvalidOptionError, describeValue } from '../errors.js';
import { booleanOption, checkKeys } from '../options.js';
import { box, dict, flatSize } from '../environment/space.js';
import type { Space, SpaceValue } from '../environment/space.js';
import { EnvironmentWrapper } from './environment-wrapper.js';
import {
  RunningStandardizer,
  STANDARDIZER_KEYS,
  type StandardizerOptions,
  type StandardizerSettings,
  standardizerSettings,
} from './running-standardizer.js';

export interface NormalizeObservationOptions extends StandardizerOptions {
  /** Update the statistics with every observation; false freezes them (evaluation). Default true. */
  update?: boolean;
  /**
   * A seeded reset restarts the statistics from their initial values (see the class). false keeps
   * them across seeded resets, and then the same seed no longer gives the same observations.
   * Default true.
   */
  restartOnSeed?: boolean;
}

/** Welford's moments of one box part: the variance is `m2 / count` (population variance). */
export interface RunningMoments {
  readonly count: number;
  readonly mean: number[];
  readonly m2: number[];
}

/**
 * The running statistics, plain data (survives JSON and msgpack). Keyed by the path of each box
 * part: '' for a box observation, 'key' (or 'key.sub' when nested) in a dict.
 */
export interface NormalizeObservationState {
  readonly moments: Record<string, RunningMoments>;
  /** The inner environment's whole state, when it can give one (see `Environment.getState`). */
  readonly inner?: EnvironmentState;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * Output: `(x - mean) / max(sqrt(var + epsilon), minStd)` per element, as a Float32Array, the
 * statistics updated with `x` first by default (Gymnasium's order; `updateFirst: false`
 * standardises with the statistics of the observations before). The first observation of a run
 * maps to 0 in either order; frozen with no statistics at all, mean 0 and variance 1 are used.
 * Discrete parts and missing optional keys pass through, and a missing part leaves its
 * statistics alone. The output space is a box of the
 * same shape, unbounded, or [-clip, clip] when clipping.
 *
 * The statistics are part of what the seed determines: `reset({ seed })` restarts them from
 * their initial values (none, or the values last given to `setState`), so the same seed gives
 * the same observations on a used instance as on a fresh one, as the environment contract asks.
 * Unseeded resets keep them. To resume or to evaluate with statistics learned elsewhere,
 * `setState` them (and set `update` to false to freeze them).
 */
export class NormalizeObservation extends EnvironmentWrapper {
  readonly epsilon: number;
  readonly clip: number;
  readonly updateFirst: boolean;
  readonly minStd: number;
  /** Whether observations update the statistics; may be switched at any time. */
  update: boolean;
  readonly restartOnSeed: boolean;
  private readonly space: Space;
  private readonly moments = new Map<string, RunningStandardizer>();
  private readonly settings: StandardizerSettings;
  /** What a seeded reset restarts from. */
  private initial: NormalizeObservationState;

  constructor(env: Environment, options: NormalizeObservationOptions = {}) {
    super(env);
    checkKeys('NormalizeObservation', options, [...STANDARDIZER_KEYS, 'update', 'restartOnSeed']);
    this.settings = standardizerSettings('NormalizeObservation', options);
    ({ epsilon: this.epsilon, clip: this.clip, updateFirst: this.updateFirst, minStd: this.minStd } = this.settings);
    this.update = booleanOption('NormalizeObservation', 'update', options.update, true);
    this.restartOnSeed = booleanOption('NormalizeObservation', 'restartOnSeed', options.restartOnSeed, true);
    this.space = this.normalizedSpace(env.observationSpace, '');
    if (this.moments.size === 0) {
      throw new InvalidOptionError(
        `NormalizeObservation: expected an observation space with a box part, but got ` +
          `${describeValue(env.observationSpace)}`,
      );
    }
    this.initial = this.statistics();
  }

  override get observationSpace(): Space {
    return this.space;
  }

  /**
   * A copy of the running statistics, with the inner environment's whole state (`inner`) when it
   * can give one, so that a run through this wrapper resumes exactly.
   */
  override getState(): NormalizeObservationState {
    const inner = wholeState(this.inner);
    return inner === undefined ? this.statistics() : { ...this.statistics(), inner };
  }

  /**
   * Restores statistics from `getState`, which also become the initial values a seeded reset
   * restarts from, and the inner environment's state when the saved one has it. Checked whole
   * first, so a mismatch changes nothing.
   */
  override setState(state: NormalizeObservationState): void {
    const write = this.check(state);
    const inner = (state as { inner?: unknown }).inner;
    if (inner !== undefined) {
      if (!canGiveState(this.inner)) {
        throw new CheckpointError(
          'ERR_CHECKPOINT_MISMATCH',
          'NormalizeObservation.setState: expected an inner environment that can restore the saved inner state, ' +
            'but it has no setState',
        );
      }
      this.inner.setState!(inner);
    }
    write();
    this.initial = this.statistics();
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = this.inner.reset(options);
    if (options?.seed !== undefined && this.restartOnSeed) this.check(this.initial)();
    return this.onReset(result);
  }

  private statistics(): NormalizeObservationState {
    const moments: Record<string, RunningMoments> = {};
    for (const [path, m] of this.moments)
      moments[path] = { count: m.count, mean: Array.from(m.mean), m2: Array.from(m.m2) };
    return { moments };
  }

  /** Checks saved statistics and returns what writes them. */
  private check(state: NormalizeObservationState): () => void {
    const where = 'NormalizeObservation.setState';
    const saved = (state as { moments?: unknown } | null)?.moments;
    const paths = [...this.moments.keys()];
    if (
      typeof saved !== 'object' ||
      saved === null ||
      JSON.stringify(Object.keys(saved).sort()) !== JSON.stringify([...paths].sort())
    ) {
      throw new CheckpointError(
        'ERR_CHECKPOINT_MISMATCH',
        `${where}: expected moments for the box parts [${paths.map((p) => JSON.stringify(p)).join(', ')}], but got ` +
          `${describeValue(saved)}`,
      );
    }
    for (const path of paths) {
      const m = (saved as Record<string, Partial<RunningMoments>>)[path]!;
      const size = this.moments.get(path)!.mean.length;
      const vector = (v: unknown, min: number): boolean =>
        (Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array) &&
        v.length === size &&
        Array.from(v as ArrayLike<number>).every((x) => Number.isFinite(x) && x >= min);
      if (!Number.isSafeInteger(m?.count) || m.count! < 0 || !vector(m.mean, -Infinity) || !vector(m.m2, 0)) {
        throw new CheckpointError(
          'ERR_CHECKPOINT_MISMATCH',
          `${where}: expected part ${JSON.stringify(path)} to hold a count >= 0 and finite mean and m2 >= 0 of ` +
            `length ${size}, but got ${describeValue(m)}`,
        );
      }
    }
    return () => {
      for (const path of paths) {
        const m = (saved as Record<string, RunningMoments>)[path]!;
        const target = this.moments.get(path)!;
        target.count = m.count;
        target.mean.set(m.mean);
        target.m2.set(m.m2);
      }
    };
  }

  protected override observation(value: SpaceValue): SpaceValue {
    return this.normalize(this.inner.observationSpace, value, '');
  }

  /** The output space; registers statistics for every box part on the way. */
  private normalizedSpace(space: Space, path: string): Space {
    if (space.kind === 'discrete') return space;
    if (space.kind === 'box') {
      this.moments.set(path, new RunningStandardizer(flatSize(space), this.settings));
      return box(space.shape, -this.clip, this.clip);
    }
    const spaces: Record<string, Space> = {};
    for (const [key, sub] of Object.entries(space.spaces)) spaces[key] = this.normalizedSpace(sub, join(path, key));
    return dict(spaces, space.optional);
  }

  private normalize(space: Space, value: SpaceValue, path: string): SpaceValue {
    if (space.kind === 'discrete') return value;
    if (space.kind === 'box') return this.standardize(value as ArrayLike<number>, this.moments.get(path)!, path);
    const record = value as Record<string, SpaceValue | undefined>;
    const out: Record<string, SpaceValue | undefined> = {};
    for (const key of Object.keys(record)) {
      const sub = space.spaces[key];
      const v = record[key];
      out[key] = sub === undefined || v === undefined || v === null ? v : this.normalize(sub, v, join(path, key));
    }
    return out;
  }

  private standardize(x: ArrayLike<number>, m: RunningStandardizer, path: string): Float32Array {
    const where = `NormalizeObservation.observation at ${JSON.stringify(path)}`;
    return m.standardize(x, new Float32Array(m.size), this.update, where);
  }
}
