// snapshots: frames of a learning agent for viewers and logs, taken sparingly: a snapshot is a
// synchronous read of every layer, far dearer than a step, so never one per step by default.

import { Observable, asyncScheduler } from 'rxjs';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Agent } from '../agent/agent.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { Frame } from '../agent/snapshot.js';
import type { StepEvent } from './learn.js';

export interface SnapshotsOptions {
  /** At least this many events between two frames (integer >= 1). Default 1 (no step limit). */
  readonly every?: number;
  /**
   * At least this many milliseconds of scheduler time between two frames (>= 0). Default 16 when `every` is not given,
   * else 0.
   */
  readonly intervalMs?: number;
  /** The clock `intervalMs` is measured on (`now()` only). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export const SNAPSHOTS_DEFAULTS = Object.freeze({ every: 1, intervalMs: 16 });

/**
 * Emits `agent.snapshot()` after an event when both limits allow it: at least `every` events
 * and at least `intervalMs` since the previous frame (the first event always qualifies on
 * time). Frames are taken only right after a step, never on a timer, so each one shows the
 * agent between steps. An error from `snapshot()` goes down the error channel.
 */
export function snapshots(agent: Agent, options: SnapshotsOptions = {}): OperatorFunction<StepEvent, Frame> {
  const where = 'snapshots';
  checkKeys(where, options, ['every', 'intervalMs', 'scheduler']);
  const o = options ?? {};
  const every = numberOption(where, 'every', o.every, SNAPSHOTS_DEFAULTS.every, { integer: true, min: 1 });
  const intervalDefault = o.every === undefined ? SNAPSHOTS_DEFAULTS.intervalMs : 0;
  const intervalMs = numberOption(where, 'intervalMs', o.intervalMs, intervalDefault, { min: 0 });
  const scheduler = o.scheduler ?? asyncScheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected option "scheduler" to be a SchedulerLike, but got ${describeValue(scheduler)}`,
    );
  }
  if (typeof agent !== 'object' || agent === null || typeof agent.snapshot !== 'function') {
    throw new InvalidOptionError(`${where}: expected an agent with snapshot(), but got ${describeValue(agent)}`);
  }

  return (source) =>
    new Observable<Frame>((subscriber) => {
      let sinceFrame = 0;
      let lastFrameAt = -Infinity;
      return source.subscribe({
        next: () => {
          if (subscriber.closed) return;
          sinceFrame++;
          if (sinceFrame < every) return;
          // Read the clock only when the step count allows a frame: it is the cheaper test.
          const now = intervalMs > 0 ? scheduler.now() : 0;
          if (now - lastFrameAt < intervalMs) return;
          let frame: Frame;
          try {
            frame = agent.snapshot();
          } catch (error) {
            subscriber.error(error);
            return;
          }
          sinceFrame = 0;
          lastFrameAt = now;
          subscriber.next(frame);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
