// A scheduler on Node's `setImmediate`: each action runs in its own macrotask, after pending
// timers and socket IO. RxJS's asapScheduler runs on microtasks, which would starve them.

import { Subscription } from 'rxjs';
import type { SchedulerAction, SchedulerLike } from 'rxjs';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

class ImmediateAction<T> extends Subscription implements SchedulerAction<T> {
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private timeout: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly work: Work<T>) {
    super();
    this.add(() => this.clear());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.clear();
    // A delayed action waits on a timer, then still runs as a macrotask of its own.
    if (delay > 0) this.timeout = setTimeout(() => this.run(state), delay);
    else this.immediate = setImmediate(() => this.run(state));
    return this;
  }

  private run(state: T | undefined): void {
    this.immediate = undefined;
    this.timeout = undefined;
    if (this.closed) return;
    try {
      this.work.call(this, state);
    } catch (error) {
      // As RxJS's own actions do: a failing action is ended, and its error surfaces.
      this.unsubscribe();
      throw error;
    }
  }

  private clear(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    this.immediate = undefined;
    this.timeout = undefined;
  }
}

/**
 * Runs every action in a macrotask of its own (`setImmediate`, or a timer for a delay), so a
 * loop that reschedules itself lets timers, sockets and other callbacks run between its turns.
 */
export const immediateScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: Work<T>, delay = 0, state?: T): Subscription {
    return new ImmediateAction<T>(work).schedule(state, delay);
  },
};
