// RecordEpisodes: keeps every transition of the wrapped environment (resets with their seeds,
// steps with their actions) so the run can be saved and replayed exactly by replayEnvironment.

import type { Environment, Info, ResetOptions, ResetResult, StepResult } from '../environment/environment.js';
import { EnvironmentError, InvalidOptionError, StateError, describeValue } from '../errors.js';
import { checkKeys } from '../options.js';
import type { SpaceValue } from '../environment/space.js';
import { EnvironmentWrapper } from './environment-wrapper.js';
import { RECORDING_VERSION, copyValue, saveRecording } from './recording.js';
import type { RecordedEpisode, RecordedStep, Recording } from './recording.js';

export interface RecordEpisodesOptions {
  /** Where `close()` (and `save()` without a path) saves the recording. Default: none. */
  path?: string;
  /** Called with each episode as it ends (terminated or truncated) and its index in the run. Default: none. */
  onEpisode?: (episode: RecordedEpisode, index: number) => void;
}

interface OpenEpisode {
  readonly seed: number | null;
  readonly observation: SpaceValue;
  readonly info: Info;
  readonly steps: RecordedStep[];
}

/**
 * Records copies of what the inner environment returns (the caller's results stay its own, so
 * editing them cannot change the recording). Every episode is kept, the last one even when the
 * run stops mid-episode, so memory grows with the run: save and start a new recorder for long
 * runs. A failed reset or step records nothing.
 */
export class RecordEpisodes extends EnvironmentWrapper {
  readonly path: string | undefined;
  private readonly onEpisode: ((episode: RecordedEpisode, index: number) => void) | undefined;
  private readonly episodes: OpenEpisode[] = [];
  private pendingAction: SpaceValue | null = null;

  constructor(env: Environment, options: RecordEpisodesOptions = {}) {
    super(env);
    checkKeys('RecordEpisodes', options, ['path', 'onEpisode']);
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path.length === 0)) {
      throw new InvalidOptionError(
        `RecordEpisodes: expected option "path" to be a non-empty string, but got ${describeValue(options.path)}`,
      );
    }
    if (options.onEpisode !== undefined && typeof options.onEpisode !== 'function') {
      throw new InvalidOptionError(
        `RecordEpisodes: expected option "onEpisode" to be a function, but got ${describeValue(options.onEpisode)}`,
      );
    }
    this.path = options.path;
    this.onEpisode = options.onEpisode;
  }

  /** A recording cannot be resumed mid-run: a run through this wrapper replays its steps instead. */
  protected override ownState(): undefined {
    return undefined;
  }

  /** The run so far. Episodes are shared with the recorder, not copied: read, do not edit. */
  get recording(): Recording {
    return {
      version: RECORDING_VERSION,
      observationSpace: this.observationSpace,
      actionSpace: this.actionSpace,
      spec: this.spec ?? null,
      episodes: [...this.episodes],
    };
  }

  /** Episodes begun so far (the running one included). */
  get episodeCount(): number {
    return this.episodes.length;
  }

  /** Saves the run so far at `path` (default: the `path` option), atomically. */
  save(path: string | undefined = this.path): void {
    if (path === undefined) {
      throw new InvalidOptionError(
        'RecordEpisodes.save: expected a path (as argument or as the "path" option), but got none',
      );
    }
    saveRecording(path, this.recording);
  }

  /** Saves to the `path` option when there is one, then closes the inner environment. */
  override close(): void {
    try {
      if (this.path !== undefined) this.save();
    } finally {
      super.close();
    }
  }

  override reset(options?: ResetOptions): ResetResult {
    const result = super.reset(options);
    const seed = options?.seed;
    this.episodes.push({
      seed: seed ?? null,
      observation: copy(result.observation, 'reset'),
      info: copy(result.info, 'reset'),
      steps: [],
    });
    return result;
  }

  override step(action?: SpaceValue): StepResult {
    if (this.episodes.length === 0) {
      throw new StateError(
        'ERR_RESET_NEEDED',
        'RecordEpisodes.step: expected reset() before the first step, but got step()',
      );
    }
    this.pendingAction = action === undefined ? null : copy(action, 'step');
    return super.step(action);
  }

  protected override onStep(result: StepResult): StepResult {
    const episode = this.episodes[this.episodes.length - 1]!;
    episode.steps.push({
      action: this.pendingAction,
      observation: copy(result.observation, 'step'),
      reward: result.reward,
      terminated: result.terminated,
      truncated: result.truncated,
      info: copy(result.info, 'step'),
    });
    if (result.terminated || result.truncated) this.onEpisode?.(episode, this.episodes.length - 1);
    return result;
  }
}

/**
 * A deep copy that refuses what no recording file could hold (functions, symbols). Typed arrays
 * are sliced rather than cloned, since a clone of a view keeps its whole underlying buffer.
 */
function copy<T>(value: T, method: string): T {
  try {
    return copyValue(value);
  } catch (error) {
    throw new EnvironmentError(
      `RecordEpisodes.${method}: expected plain data in the result, but it cannot be copied: ` +
        `${(error as Error).message}`,
    );
  }
}
