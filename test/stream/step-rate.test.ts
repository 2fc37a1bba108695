// Specification of StepRate: steps per second over roughly the last second, on a fake clock.

import { describe, expect, it } from 'vitest';
import { StepRate } from '../../src/stream/step-rate.js';

function clocked() {
  let now = 0;
  const rate = new StepRate({ now: () => now });
  return { rate, at: (ms: number) => (now = ms) };
}

describe('StepRate', () => {
  it('is 0 without history', () => {
    expect(clocked().rate.perSecond(100)).toBe(0);
  });

  it('measures steps over the time since the start', () => {
    const { rate, at } = clocked();
    rate.restart(0);
    at(500);
    rate.record(250);
    expect(rate.perSecond(250)).toBe(500);
  });

  it('forgets what happened more than a second ago', () => {
    const { rate, at } = clocked();
    rate.restart(0);
    for (let t = 100; t <= 3000; t += 100) {
      at(t);
      // 1000 steps/s for two seconds, then 100 steps/s.
      rate.record(t <= 2000 ? t : 2000 + (t - 2000) / 10);
    }
    expect(rate.perSecond(2100)).toBeCloseTo(100, 5);
  });

  it('does not count the time before a restart', () => {
    const { rate, at } = clocked();
    rate.restart(0);
    at(100);
    rate.record(100);
    at(5000);
    rate.restart(100);
    at(5100);
    expect(rate.perSecond(150)).toBe(500);
  });

  it('rejects invalid options, naming the option', () => {
    expect(() => new StepRate({ windowMs: 0 })).toThrow(/"windowMs"/);
    expect(() => new StepRate({ resolutionMs: -1 })).toThrow(/"resolutionMs"/);
    expect(() => new StepRate({ now: 3 as never })).toThrow(/"now"/);
  });
});
