// fromEnvironment: an environment as a cold Observable of Transitions, stepped in chunks that
// hand the event loop back between them, so a long run never starves timers and sockets.

import { Observable } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Transition } from '../agent/agent.js';
import type { Environment } from '../environment/environment.js';
import { InvalidOptionError, describeValue } from '../errors.js';
import { numberOption } from '../options.js';
import { transitionLoop, transitionLoopOptions } from './environment-transitions.js';
import type { EnvironmentTransitionsOptions } from './environment-transitions.js';
import { immediateScheduler } from './immediate-scheduler.js';

export interface FromEnvironmentOptions extends EnvironmentTransitionsOptions {
  /** Transitions emitted per turn of the event loop (integer >= 1). Default 64. */
  readonly yieldEvery?: number;
  /** Where each chunk runs. Default `immediateScheduler` (a macrotask per chunk). */
  readonly scheduler?: SchedulerLike;
}

export const FROM_ENVIRONMENT_DEFAULTS = Object.freeze({ yieldEvery: 64 });

/** An environment, or a factory called once per subscription (that environment is then closed by the stream). */
export type EnvironmentSource = Environment | (() => Environment);

/** Checks the chunking options shared by the Observable sources of this folder. */
export function chunkOptions(
  where: string,
  options: { yieldEvery?: number; scheduler?: SchedulerLike },
): { yieldEvery: number; scheduler: SchedulerLike } {
  const yieldEvery = numberOption(where, 'yieldEvery', options.yieldEvery, FROM_ENVIRONMENT_DEFAULTS.yieldEvery, {
    integer: true,
    min: 1,
  });
  const scheduler = options.scheduler ?? immediateScheduler;
  if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.schedule !== 'function') {
    throw new InvalidOptionError(
      `${where}: expected option "scheduler" to be a SchedulerLike, but got ${describeValue(scheduler)}`,
    );
  }
  return { yieldEvery, scheduler };
}

/**
 * Emits the transitions of `environmentTransitions(env, options)`, `yieldEvery` per scheduled
 * chunk (the first chunk too, so subscribing never blocks). Unsubscribing stops it before the
 * next `env.step`. An environment made by a factory is closed on completion, error or
 * unsubscribe; an instance is left open, and shared by every subscription (pass a factory for
 * independent runs). Whatever the environment throws errors the stream. With `resume`, pass the
 * instance restored to where the saved run stood (a factory would make a fresh one).
 */
export function fromEnvironment(
  source: EnvironmentSource,
  options: FromEnvironmentOptions = {},
): Observable<Transition> {
  const where = 'fromEnvironment';
  const loopOptions = transitionLoopOptions(where, options, ['yieldEvery', 'scheduler']);
  const { yieldEvery, scheduler } = chunkOptions(where, options ?? {});
  if (typeof source !== 'function' && (typeof source !== 'object' || source === null)) {
    throw new InvalidOptionError(
      `${where}: expected an environment or a factory of one, but got ${describeValue(source)}`,
    );
  }

  return new Observable<Transition>((subscriber) => {
    let env: Environment | undefined;
    let closed = false;
    const owned = typeof source === 'function';
    const close = (): void => {
      if (closed || !owned || env === undefined) return;
      closed = true;
      env.close?.();
    };

    try {
      env = owned ? (source as () => Environment)() : source;
    } catch (error) {
      subscriber.error(error);
      return;
    }
    const transitions = transitionLoop(env, loopOptions);

    const chunk = function (this: { schedule(): Subscription }): void {
      for (let i = 0; i < yieldEvery; i++) {
        if (subscriber.closed) return;
        let next: IteratorResult<Transition, void>;
        try {
          next = transitions.next();
        } catch (error) {
          // The primary failure is the one to report; a close that fails too is secondary.
          try {
            close();
          } catch {
            /* the environment's own error already goes down the error channel */
          }
          subscriber.error(error);
          return;
        }
        if (next.done) {
          try {
            close();
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.complete();
          return;
        }
        subscriber.next(next.value);
      }
      if (!subscriber.closed) this.schedule();
    };
    const action = scheduler.schedule(chunk);

    return () => {
      action.unsubscribe();
      transitions.return();
      close();
    };
  });
}
