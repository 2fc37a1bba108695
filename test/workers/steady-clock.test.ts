import { describe, expect, it, vi } from 'vitest';
import { SteadyClock } from '../../workers/steady-clock.js';

/** A clock whose steps take `ms(step)` milliseconds each, from time 0. */
function run(clock: SteadyClock, steps: number, ms: (step: number) => number): number {
  let now = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
  for (let taken = 1; taken <= steps; taken++) {
    now += ms(taken);
    clock.tick(taken);
  }
  spy.mockRestore();
  return now;
}

describe('SteadyClock', () => {
  it('gives the rate over the later half of a planned run, leaving a slow start out', () => {
    const clock = new SteadyClock(500, 4);
    // 2 ms a step for the first 100 steps (warming up), then 1 ms.
    const end = run(clock, 1000, (step) => (step <= 100 ? 2 : 1));
    const rate = clock.rate(1000, end, 0);
    expect(rate).toEqual({ fromStep: 500, seconds: 0.5, stepsPerSecond: 4000 });
    // The whole run's rate is lower: 4,000 stream steps in 1.1 s.
    expect((1000 * 4) / (end / 1000)).toBeCloseTo(3636.4, 1);
  });

  it('without a plan uses the last power of two at or below half the steps taken', () => {
    const clock = new SteadyClock(null, 1);
    const end = run(clock, 1000, () => 1);
    expect(clock.rate(1000, end, 0)).toEqual({ fromStep: 256, seconds: 0.744, stepsPerSecond: 1000 });
    // A run stopped at its first step is measured from its start.
    const one = new SteadyClock(null, 1);
    expect(
      one.rate(
        1,
        run(one, 1, () => 2),
        0,
      ),
    ).toEqual({ fromStep: 0, seconds: 0.002, stepsPerSecond: 500 });
  });
});
