// boundedBuffer: a queue between a push source and a slower consumer (the agent), handing items
// on one per macrotask so the source keeps pushing meanwhile; overflow is dropped and counted.

import { Observable } from 'rxjs';
import type { OperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys, choiceOption, numberOption } from '../options.js';
import { immediateScheduler } from './immediate-scheduler.js';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'pause';

export interface BoundedBufferOptions {
  /** Items queued at most (integer >= 1); with 'pause', the high-water mark. Required. */
  readonly capacity: number;
  /** When full: discard the oldest queued item, discard the incoming one, or pause the source. Required. */
  readonly policy: OverflowPolicy;
  /** Pauses the source (required with 'pause'). */
  readonly pause?: () => void;
  /** Resumes the source (required with 'pause'). */
  readonly resume?: () => void;
  /** Where each hand-over runs. Default `immediateScheduler` (one macrotask per item). */
  readonly scheduler?: SchedulerLike;
}

/** An item handed downstream with the running total of items dropped before it was. */
export interface Buffered<T> {
  readonly value: T;
  readonly dropped: number;
}

/** Totals over every subscription of one boundedBuffer operator (normally there is one). */
export interface BufferStats {
  /** Items that came from the source. */
  readonly received: number;
  /** Items handed downstream. */
  readonly delivered: number;
  /** Items discarded by a drop policy (`received - delivered - queued`, unless a subscriber left with items queued). */
  readonly dropped: number;
  /** Items waiting now. */
  readonly queued: number;
  /** True while the source is paused. */
  readonly paused: boolean;
}

/** The operator, with a `stats()` to read its counts at any time. */
export type BoundedBuffer<T> = OperatorFunction<T, Buffered<T>> & { stats(): BufferStats };

/**
 * Queues items up to `capacity` and emits them as `{ value, dropped }`, one per scheduled
 * action. On overflow 'drop-oldest' and 'drop-newest' discard an item and count it; 'pause'
 * calls `pause()` when the queue reaches `capacity` and `resume()` once it drains below half,
 * and never drops (items that still arrive while paused are queued). Every drop leaves an item
 * queued, so the last item emitted before completion carries the final drop count. On the
 * source's completion or error the queue is drained first: nothing queued is lost. An error
 * from `pause` or `resume` errors the stream.
 */
export function boundedBuffer<T>(options: BoundedBufferOptions): BoundedBuffer<T> {
  const where = 'boundedBuffer';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(
      `${where}: expected an options object with "capacity" and "policy", but got ${describeValue(options)}`,
    );
  }
  checkKeys(where, options, ['capacity', 'policy', 'pause', 'resume', 'scheduler']);
  if (options.capacity === undefined)
    throw new InvalidOptionError(`${where}: expected option "capacity" to be an integer >= 1, but got undefined`);
  const capacity = numberOption(where, 'capacity', options.capacity, 1, { integer: true, min: 1 });
  const policy = choiceOption<OverflowPolicy>(where, 'policy', options.policy, undefined as never, [
    'drop-oldest',
    'drop-newest',
    'pause',
  ]);
  for (const name of ['pause', 'resume'] as const) {
    const fn = options[name];
    if ((policy === 'pause' || fn !== undefined) && typeof fn !== 'function') {
      throw new InvalidOptionError(
        `${where}: expected option "${name}" to be a function${policy === 'pause' ? ' (policy "pause")' : ''}, but ` +
          `got ${describeValue(fn)}`,
      );
    }
  }
  const scheduler = options.scheduler ?? immediateScheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.schedule !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected option "scheduler" to be a SchedulerLike, but got ${describeValue(scheduler)}`,
    );
  }

  const totals = { received: 0, delivered: 0, dropped: 0, queued: 0, pausedCount: 0 };

  const operator = (source: Observable<T>): Observable<Buffered<T>> =>
    new Observable<Buffered<T>>((subscriber) => {
      const queue: T[] = [];
      let dropped = 0;
      let paused = false;
      let done = false;
      let failure: { error: unknown } | undefined;
      let pending: Subscription | undefined;

      const setPaused = (value: boolean): boolean => {
        paused = value;
        totals.pausedCount += value ? 1 : -1;
        try {
          (value ? options.pause! : options.resume!)();
          return true;
        } catch (error) {
          subscriber.error(error);
          return false;
        }
      };
      const finishIfDrained = (): void => {
        if (!done || queue.length > 0 || pending !== undefined || subscriber.closed) return;
        if (failure) subscriber.error(failure.error);
        else subscriber.complete();
      };
      const deliver = (): void => {
        pending = undefined;
        if (subscriber.closed || queue.length === 0) {
          finishIfDrained();
          return;
        }
        const value = queue.shift()!;
        totals.queued--;
        totals.delivered++;
        subscriber.next({ value, dropped });
        if (paused && queue.length < capacity / 2 && !subscriber.closed && !setPaused(false)) return;
        if (queue.length > 0) schedule();
        else finishIfDrained();
      };
      const schedule = (): void => {
        if (pending === undefined && !subscriber.closed) pending = scheduler.schedule(deliver);
      };

      const upstream = source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          totals.received++;
          if (queue.length >= capacity && policy !== 'pause') {
            dropped++;
            totals.dropped++;
            if (policy === 'drop-newest') return;
            queue.shift();
            totals.queued--;
          }
          queue.push(value);
          totals.queued++;
          if (policy === 'pause' && !paused && queue.length >= capacity && !setPaused(true)) return;
          schedule();
        },
        error: (error: unknown) => {
          done = true;
          failure = { error };
          finishIfDrained();
        },
        complete: () => {
          done = true;
          finishIfDrained();
        },
      });

      return () => {
        upstream.unsubscribe();
        pending?.unsubscribe();
        pending = undefined;
        totals.queued -= queue.length;
        queue.length = 0;
        if (paused) totals.pausedCount--;
      };
    });

  return Object.assign(operator, {
    stats: (): BufferStats => ({
      received: totals.received,
      delivered: totals.delivered,
      dropped: totals.dropped,
      queued: totals.queued,
      paused: totals.pausedCount > 0,
    }),
  });
}
