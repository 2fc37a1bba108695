// learn: the operator where an agent meets the stream. Each transition goes through
// `agent.observe`; invalid data either errors the stream or is skipped and counted.

import { defer, filter, map } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Agent, Outcome, Transition } from '../agent/agent.js';
import { InvalidOptionError, TpropError, describeValue } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { checkKeys, choiceOption } from '../options.js';

/** One learning step: the transition and what `observe` reported for it. */
export interface StepEvent {
  readonly transition: Transition;
  readonly outcome: Outcome;
  /** Transitions skipped as invalid so far in this subscription (always 0 with onInvalid 'error'). */
  readonly skipped: number;
}

export type OnInvalid = 'error' | 'skip';

export interface LearnOptions {
  /** What to do when `observe` rejects the data: 'error' the stream, or 'skip' the transition. Default 'error'. */
  readonly onInvalid?: OnInvalid;
  /**
   * Told of every skipped transition with the running total, so skips after the last event are not lost. Default none.
   */
  readonly onSkip?: (error: TpropError, transition: Transition, skipped: number) => void;
}

export const LEARN_DEFAULTS = Object.freeze({ onInvalid: 'error' as OnInvalid });

/** Codes of the errors that mean "this data is bad" rather than "this agent or engine is broken". */
export const INVALID_DATA_CODES: readonly ErrorCode[] = ['ERR_SHAPE_MISMATCH', 'ERR_NON_FINITE'];

/** True for a NaN, an infinity or a wrong shape reported by a TpropError: data one may drop and go on. */
export function isInvalidData(error: unknown): error is TpropError {
  return error instanceof TpropError && INVALID_DATA_CODES.includes(error.code);
}

/** Checks the learn options once; shared with the runners that call `observe` themselves. */
export function learnOptions(
  where: string,
  options: LearnOptions,
  extra: readonly string[] = [],
): Required<Pick<LearnOptions, 'onInvalid'>> & LearnOptions {
  checkKeys(where, options, ['onInvalid', 'onSkip', ...extra]);
  const o = options ?? {};
  const onInvalid = choiceOption<OnInvalid>(where, 'onInvalid', o.onInvalid, LEARN_DEFAULTS.onInvalid, [
    'error',
    'skip',
  ]);
  if (o.onSkip !== undefined && typeof o.onSkip !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected option "onSkip" to be a function, but got ${describeValue(o.onSkip)}`,
    );
  }
  return { onInvalid, onSkip: o.onSkip };
}

/**
 * Feeds every transition to `agent.observe` and emits `{ transition, outcome, skipped }`.
 * With `onInvalid: 'skip'`, a transition that `observe` rejects as invalid data (a
 * ShapeMismatchError or NonFiniteError) is dropped and counted; any other error, and with
 * 'error' every error, goes down the error channel. The agent changes nothing on bad input,
 * so it stays usable either way. The skip count is per subscription.
 */
export function learn(agent: Agent, options: LearnOptions = {}): OperatorFunction<Transition, StepEvent> {
  const { onInvalid, onSkip } = learnOptions('learn', options);
  if (typeof agent !== 'object' || agent === null || typeof agent.observe !== 'function') {
    throw new InvalidOptionError(`learn: expected an agent with observe(), but got ${describeValue(agent)}`);
  }
  return (source) =>
    defer(() => {
      let skipped = 0;
      return source.pipe(
        // `map` routes a throw from its projection down the error channel, which is the point.
        map((transition): StepEvent | null => {
          let outcome: Outcome;
          try {
            outcome = agent.observe(transition);
          } catch (error) {
            if (onInvalid === 'skip' && isInvalidData(error)) {
              skipped++;
              onSkip?.(error, transition, skipped);
              return null;
            }
            throw error;
          }
          return { transition, outcome, skipped };
        }),
        filter((event): event is StepEvent => event !== null),
      );
    });
}
