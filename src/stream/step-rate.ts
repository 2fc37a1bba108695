// StepRate: steps per second over roughly the last second, from a few timestamped step counts,
// cheap enough to record after every chunk of a run that takes thousands of steps a second.

import { InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';

/** A step count at a moment (performance.now() milliseconds). */
interface Mark {
  readonly at: number;
  readonly steps: number;
}

export interface StepRateOptions {
  /** The span the rate is averaged over, in milliseconds (> 0). Default 1000. */
  readonly windowMs?: number;
  /** Marks closer together than this are not kept, to bound the memory (>= 0). Default 50. */
  readonly resolutionMs?: number;
  /** The clock. Default `performance.now`. */
  readonly now?: () => number;
}

export const STEP_RATE_DEFAULTS = Object.freeze({ windowMs: 1000, resolutionMs: 50 });

/**
 * Keeps marks of (time, steps) no closer than `resolutionMs`, dropping those older than the
 * window except the newest of them, which serves as the baseline: the rate is the steps since
 * the baseline over the time since it. `restart` forgets everything (after a pause, whose
 * idle time must not dilute the rate).
 */
export class StepRate {
  private marks: Mark[] = [];
  private readonly windowMs: number;
  private readonly resolutionMs: number;
  private readonly now: () => number;

  constructor(options: StepRateOptions = {}) {
    checkKeys('StepRate', options, ['windowMs', 'resolutionMs', 'now']);
    this.windowMs = numberOption('StepRate', 'windowMs', options.windowMs, STEP_RATE_DEFAULTS.windowMs, { above: 0 });
    this.resolutionMs = numberOption(
      'StepRate',
      'resolutionMs',
      options.resolutionMs,
      STEP_RATE_DEFAULTS.resolutionMs,
      { min: 0 },
    );
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new InvalidOptionError(
        `StepRate: expected option "now" to be a function, but got ${describeValue(options.now)}`,
      );
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** Forgets the history; `steps` is the count to measure from. */
  restart(steps: number): void {
    this.marks = [{ at: this.now(), steps }];
  }

  /** Notes that `steps` steps have been taken by now. */
  record(steps: number): void {
    const at = this.now();
    const last = this.marks[this.marks.length - 1];
    if (last === undefined || at - last.at >= this.resolutionMs) this.marks.push({ at, steps });
    this.prune(at);
  }

  /** Steps per second up to `steps` now; 0 without history. */
  perSecond(steps: number): number {
    const at = this.now();
    this.prune(at);
    const base = this.marks[0];
    if (base === undefined) return 0;
    const elapsed = at - base.at;
    return elapsed > 0 ? ((steps - base.steps) * 1000) / elapsed : 0;
  }

  private prune(at: number): void {
    // Keep one mark at or before the window's start as the baseline.
    while (this.marks.length > 1 && this.marks[1]!.at <= at - this.windowMs) this.marks.shift();
  }
}
