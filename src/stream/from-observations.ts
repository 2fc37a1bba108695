// fromObservations: any push source (a sensor feed, a socket, a tailed file) as Transitions,
// numbered as an environment's would be, so the same agents and operators run on live data.

import { Observable } from 'rxjs';
import type { Transition } from '../agent/agent.js';
import type { Info } from '../environment/environment.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { checkKeys, choiceOption } from '../options.js';
import type { SpaceValue } from '../environment/space.js';

/** An observation with Gymnasium's flags, each optional. */
export interface ObservationRecord {
  readonly observation: SpaceValue;
  /** Default 0. */
  readonly reward?: number;
  /** Default false. */
  readonly terminated?: boolean;
  /** Default false. */
  readonly truncated?: boolean;
  /** Default {}. */
  readonly info?: Info;
}

export type ObservationInput = SpaceValue | ObservationRecord;

export interface FromObservationsOptions {
  /**
   * How to read an item: 'value' (the item is the observation), 'record' (an ObservationRecord)
   * or 'auto' (a plain object with an `observation` key is a record, anything else a value).
   * Use 'value' when a dict space has a modality named `observation`. Default 'auto'.
   */
  readonly form?: 'auto' | 'value' | 'record';
}

export const FROM_OBSERVATIONS_DEFAULTS = Object.freeze({ form: 'auto' as const });

function isRecord(item: unknown): item is ObservationRecord {
  return (
    typeof item === 'object' &&
    item !== null &&
    !ArrayBuffer.isView(item) &&
    !Array.isArray(item) &&
    Object.hasOwn(item, 'observation')
  );
}

/** Reads one record's flags; a malformed one is the source's fault, reported with a typed error. */
function readRecord(item: unknown): Required<ObservationRecord> {
  if (!isRecord(item)) {
    throw new ShapeMismatchError(
      `fromObservations: expected a record with an "observation" key, but got ${describeValue(item)}`,
    );
  }
  const { observation, reward = 0, terminated = false, truncated = false, info = {} } = item;
  if (typeof reward !== 'number')
    throw new ShapeMismatchError(
      `fromObservations: expected "reward" to be a number, but got ${describeValue(reward)}`,
    );
  if (!Number.isFinite(reward))
    throw new NonFiniteError(`fromObservations: expected a finite "reward", but got ${reward}`);
  if (typeof terminated !== 'boolean')
    throw new ShapeMismatchError(
      `fromObservations: expected "terminated" to be a boolean, but got ${describeValue(terminated)}`,
    );
  if (typeof truncated !== 'boolean')
    throw new ShapeMismatchError(
      `fromObservations: expected "truncated" to be a boolean, but got ${describeValue(truncated)}`,
    );
  if (typeof info !== 'object' || info === null)
    throw new ShapeMismatchError(`fromObservations: expected "info" to be an object, but got ${describeValue(info)}`);
  return { observation, reward, terminated, truncated, info };
}

/**
 * Turns each item of `source$` into a Transition: `step` counts from 0, `episode` goes up after
 * each item that is `terminated` or `truncated`, and the item after that (and the very first)
 * is `first`. Observations are passed through unchecked (the agent checks them, and `learn`
 * may skip bad ones); a malformed record (a non-boolean flag, a NaN reward) errors the stream
 * with a ShapeMismatchError or NonFiniteError. Counting is per subscription.
 */
export function fromObservations(
  source$: Observable<ObservationInput>,
  options: FromObservationsOptions = {},
): Observable<Transition> {
  checkKeys('fromObservations', options, ['form']);
  const form = choiceOption('fromObservations', 'form', options?.form, FROM_OBSERVATIONS_DEFAULTS.form, [
    'auto',
    'value',
    'record',
  ]);
  if (!(source$ instanceof Observable) && typeof (source$ as { subscribe?: unknown })?.subscribe !== 'function') {
    throw new InvalidOptionError(`fromObservations: expected an Observable source, but got ${describeValue(source$)}`);
  }

  return new Observable<Transition>((subscriber) => {
    let step = 0;
    let episode = 0;
    let first = true;
    return source$.subscribe({
      next: (item) => {
        if (subscriber.closed) return;
        let record: Required<ObservationRecord>;
        if (form === 'value' || (form === 'auto' && !isRecord(item))) {
          record = { observation: item as SpaceValue, reward: 0, terminated: false, truncated: false, info: {} };
        } else {
          try {
            record = readRecord(item);
          } catch (error) {
            subscriber.error(error);
            return;
          }
        }
        const transition: Transition = { step, episode, ...record, first };
        step++;
        first = record.terminated || record.truncated;
        if (first) episode++;
        subscriber.next(transition);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}
