// SteadyClock: a run's rate over its later steps, once the compilers have warmed up.

/** A rate over the later part of a run: from `fromStep` (a mark at or below half the steps taken) to the end. */
export interface SteadyRate {
  readonly fromStep: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
}

/**
 * Marks a run's steps at every power of two and at half its planned steps, and gives the rate
 * from the last mark at or below half the steps taken to the end: at least the later half of
 * the run, at most three quarters of it. A fresh worker's first seconds run slower (V8 compiles
 * and re-optimises the hot functions on background threads, wasm tiers up); a long run's rate is
 * what the later steps show (docs/experiments.md, row H10).
 */
export class SteadyClock {
  private readonly marks: [number, number][] = [];

  constructor(
    private readonly half: number | null,
    private readonly streams: number,
  ) {}

  /** Called after each step with the steps taken so far. */
  tick(taken: number): void {
    if ((taken & (taken - 1)) === 0 || taken === this.half) this.marks.push([taken, performance.now()]);
  }

  /** The rate from the chosen mark to `end`, given the steps taken and the run's `start` (both performance.now()). */
  rate(taken: number, end: number, start: number): SteadyRate {
    let from: [number, number] = [0, start];
    for (const m of this.marks) if (m[0] <= Math.ceil(taken / 2) && m[0] < taken) from = m;
    const seconds = (end - from[1]) / 1000;
    const stepsPerSecond = seconds > 0 ? ((taken - from[0]) * this.streams) / seconds : 0;
    return { fromStep: from[0], seconds, stepsPerSecond };
  }
}
