// replayEnvironment: an Environment that plays a recording back exactly (same observations,
// rewards, flags, infos and spaces), for re-running an agent on a fixed stream or a bug report.

import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../environment/environment.js';
import { EnvironmentError, InvalidOptionError, StateError, describeValue } from '../errors.js';
import { assertInSpace } from '../environment/space.js';
import type { Space, SpaceValue } from '../environment/space.js';
import { checkRecording, copyValue, loadRecording } from './recording.js';
import type { RecordedEpisode, Recording } from './recording.js';

/** The replay ran past what was recorded: a reset after the last episode, or a step after the last recorded step. */
export class RecordingExhaustedError extends EnvironmentError {}

/**
 * Replays `source`, a recording or the path of a saved one (throws CheckpointError for a
 * damaged file or malformed recording, node's ENOENT error for a missing file).
 *
 * `reset({ seed })` cannot draw a new episode for a seed: it rewinds to the first episode that
 * was recorded with that seed, and a seed never recorded throws InvalidOptionError. `reset()`
 * without a seed moves on to the next recorded episode (the first, on a fresh replay), whatever
 * seed it was recorded with. So a replay passes `checkEnvironment` with `seedSensitive: false`,
 * given a recording of the checker's own sequence (seeded reset, steps, unseeded resets).
 * Actions are checked against the action space and otherwise ignored: the recorded outcome is
 * returned whatever the action. Running past the end throws RecordingExhaustedError.
 */
export function replayEnvironment(source: string | Recording): ReplayEnvironment {
  return new ReplayEnvironment(source);
}

export class ReplayEnvironment implements Environment {
  readonly observationSpace: Space;
  readonly actionSpace: Space | null;
  spec?: EnvironmentSpec;
  readonly recording: Recording;
  /** Index of the current episode; -1 before the first reset. */
  private episode = -1;
  /** Steps replayed in the current episode. */
  private t = 0;

  constructor(source: string | Recording) {
    if (typeof source === 'string') {
      this.recording = loadRecording(source);
    } else {
      // Checked like a file (CheckpointError), so a hand-built recording fails here, not mid-replay.
      this.recording = checkRecording(source, 'replayEnvironment');
    }
    this.observationSpace = this.recording.observationSpace;
    this.actionSpace = this.recording.actionSpace;
    if (this.recording.spec !== null) this.spec = this.recording.spec;
  }

  /** Index of the episode being replayed; -1 before the first reset. */
  get episodeIndex(): number {
    return this.episode;
  }

  reset(options?: ResetOptions): ResetResult {
    const seed = options?.seed;
    const episodes = this.recording.episodes;
    let next: number;
    if (seed === undefined) {
      next = this.episode + 1;
      if (next >= episodes.length) {
        throw new RecordingExhaustedError(
          `ReplayEnvironment.reset: expected a recorded episode to replay, but all ${episodes.length} have been ` +
            `replayed`,
        );
      }
    } else {
      if (!Number.isSafeInteger(seed)) {
        throw new InvalidOptionError(
          `ReplayEnvironment.reset: expected option "seed" to be an integer, but got ${describeValue(seed)}`,
        );
      }
      next = episodes.findIndex((e) => e.seed === seed);
      if (next < 0) {
        const seeds = [...new Set(episodes.map((e) => e.seed).filter((s) => s !== null))];
        throw new InvalidOptionError(
          `ReplayEnvironment.reset: expected a seed the recording was reset with (one of [${seeds.join(', ')}]), ` +
            `but got ${seed}`,
        );
      }
    }
    this.episode = next;
    this.t = 0;
    const episode = episodes[next]!;
    return { observation: copyValue(episode.observation), info: copyValue(episode.info) };
  }

  step(action?: SpaceValue | null): StepResult {
    if (this.actionSpace === null) {
      if (action !== undefined && action !== null) {
        throw new InvalidOptionError(
          `ReplayEnvironment.step: expected no action (a passive environment), but got ${describeValue(action)}`,
        );
      }
    } else if (action !== undefined && action !== null) {
      assertInSpace(this.actionSpace, action, 'ReplayEnvironment.step');
    }
    if (this.episode < 0) {
      throw new StateError(
        'ERR_RESET_NEEDED',
        'ReplayEnvironment.step: expected reset() before the first step, but got step()',
      );
    }
    const episode: RecordedEpisode = this.recording.episodes[this.episode]!;
    const last = episode.steps[this.t - 1];
    if (last !== undefined && (last.terminated || last.truncated)) {
      throw new StateError(
        'ERR_EPISODE_ENDED',
        'ReplayEnvironment.step: expected reset() after the episode ended, but got step()',
      );
    }
    const recorded = episode.steps[this.t];
    if (recorded === undefined) {
      throw new RecordingExhaustedError(
        `ReplayEnvironment.step: expected a recorded step, but the recording of episode ${this.episode} stops after ` +
          `${episode.steps.length} steps`,
      );
    }
    this.t += 1;
    return {
      observation: copyValue(recorded.observation),
      reward: recorded.reward,
      terminated: recorded.terminated,
      truncated: recorded.truncated,
      info: copyValue(recorded.info),
    };
  }

  close(): void {}
}
