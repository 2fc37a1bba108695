// A recording of a run: the spaces, the spec, and every episode as its reset and its steps, in
// plain data. Saved as a checkpoint of kind RECORDING_KIND, so it is atomic and checksummed.

import type { EnvironmentSpec, Info } from '../environment/environment.js';
import { CheckpointError, describeValue } from '../errors.js';
import type { Space, SpaceValue } from '../environment/space.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoint/checkpoint-file.js';

/** The checkpoint kind of a saved recording. */
export const RECORDING_KIND = 'recording';
/** Version of the recording's layout (inside the checkpoint format, which has its own). */
export const RECORDING_VERSION = 1;

export interface RecordedStep {
  /** The action passed to `step`, or null when none was. */
  readonly action: SpaceValue | null;
  readonly observation: SpaceValue;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly info: Info;
}

export interface RecordedEpisode {
  /** The seed passed to the `reset` that began this episode, or null for an unseeded reset. */
  readonly seed: number | null;
  /** The observation and info `reset` returned. */
  readonly observation: SpaceValue;
  readonly info: Info;
  /** Every step, in order; the last one ended the episode unless the run stopped mid-episode. */
  readonly steps: RecordedStep[];
}

/**
 * A run, exactly as the environment gave it. Saved to a file, values keep their types and bits
 * (Float32Array elements, NaN, undefined) with one exception of msgpack's: a scalar -0 (not
 * inside a typed array) reads back as 0.
 */
export interface Recording {
  readonly version: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space | null;
  readonly spec: EnvironmentSpec | null;
  readonly episodes: RecordedEpisode[];
}

/** Saves `recording` at `path`, atomically (see `writeCheckpoint`). */
export function saveRecording(path: string, recording: Recording): void {
  writeCheckpoint(path, recording, { kind: RECORDING_KIND });
}

/** Loads a recording saved by `saveRecording`; a damaged file or recording throws CheckpointError. */
export function loadRecording(path: string): Recording {
  return checkRecording(readCheckpoint(path, { kind: RECORDING_KIND }), `loadRecording(${path})`);
}

/**
 * A deep copy of plain data; throws a TypeError on functions and symbols, which no file holds.
 * Typed arrays are sliced, not cloned: a clone of a view would keep its whole underlying buffer
 * (for a loaded recording, the whole file).
 */
export function copyValue<T>(value: T): T {
  if (typeof value === 'function' || typeof value === 'symbol') throw new TypeError(`a ${typeof value} is not data`);
  if (typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (ArrayBuffer.isView(value))
    return (value instanceof DataView ? structuredClone(value) : (value as unknown as Float32Array).slice()) as T;
  if (Array.isArray(value)) return value.map(copyValue) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = copyValue(v);
  return out as T;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

function isSpace(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value.kind === 'box')
    return Array.isArray(value.shape) && typeof value.low === 'number' && typeof value.high === 'number';
  if (value.kind === 'discrete') return Number.isInteger(value.n);
  return (
    value.kind === 'dict' &&
    isRecord(value.spaces) &&
    Object.values(value.spaces).every(isSpace) &&
    Array.isArray(value.optional)
  );
}

function isStep(value: unknown): boolean {
  return (
    isRecord(value) &&
    'observation' in value &&
    typeof value.reward === 'number' &&
    typeof value.terminated === 'boolean' &&
    typeof value.truncated === 'boolean' &&
    isRecord(value.info)
  );
}

function isEpisode(value: unknown): boolean {
  return (
    isRecord(value) &&
    (value.seed === null || Number.isSafeInteger(value.seed)) &&
    'observation' in value &&
    isRecord(value.info) &&
    Array.isArray(value.steps) &&
    value.steps.every(isStep)
  );
}

/**
 * Returns `value` as a Recording after checking its shape: ERR_CHECKPOINT_VERSION for another
 * recording version, ERR_CHECKPOINT_CORRUPT for anything that is not a recording.
 */
export function checkRecording(value: unknown, where: string): Recording {
  if (!isRecord(value)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `${where}: expected a recording, but got ${describeValue(value)}`,
    );
  }
  if (value.version !== RECORDING_VERSION) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_VERSION',
      `${where}: expected recording version ${RECORDING_VERSION}, but got ${describeValue(value.version)}`,
    );
  }
  if (!isSpace(value.observationSpace) || !(value.actionSpace === null || isSpace(value.actionSpace))) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `${where}: expected the recording to hold its observation and action spaces, but got ` +
        `${describeValue(value.observationSpace)} and ${describeValue(value.actionSpace)}`,
    );
  }
  if (!(value.spec === null || isRecord(value.spec))) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `${where}: expected the recording's spec to be a record or null, but got ${describeValue(value.spec)}`,
    );
  }
  if (!Array.isArray(value.episodes)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `${where}: expected the recording's episodes as an array, but got ${describeValue(value.episodes)}`,
    );
  }
  const bad = value.episodes.findIndex((episode) => !isEpisode(episode));
  if (bad >= 0) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `${where}: expected episode ${bad} to hold a seed, a reset observation and info, and steps, but got ` +
        `${describeValue(value.episodes[bad])}`,
    );
  }
  return value as unknown as Recording;
}
