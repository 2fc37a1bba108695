// Specification of TenArmedTestbed-v0: Sutton and Barto's testbed, its arms' values N(0, 1) and
// rewards N(q*(a), 1); with drift the values walk from equal starts; bad actions are typed errors.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { TEN_ARMED_TESTBED_DEFAULTS, TenArmedTestbed } from '../../environments/ten-armed-testbed.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError, type StateError } from '../../src/errors.js';
import { thrown } from '../helpers/thrown.js';

describe('TenArmedTestbed', () => {
  it('has the documented defaults, a constant observation and ten arms, and passes the contract', () => {
    expect(TEN_ARMED_TESTBED_DEFAULTS).toEqual({ arms: 10, length: 1000, drift: 0 });
    const env = new TenArmedTestbed();
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 10 });
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [1], low: 0, high: 0 });
    expect(() => checkEnvironment(() => new TenArmedTestbed({ length: 50 }))).not.toThrow();
    expect(() => checkEnvironment(() => new TenArmedTestbed({ length: 50, drift: 0.01 }))).not.toThrow();
  });

  it('draws arm values N(0, 1) per run and pays N(q*(a), 1), its best arm marked optimal', () => {
    const env = new TenArmedTestbed({ length: 400 });
    const values: number[] = [];
    let residual = 0;
    let residual2 = 0;
    let n = 0;
    for (let run = 0; run < 200; run++) {
      const { info } = env.reset({ seed: run });
      const expected = new Map<number, number>();
      for (let t = 0; t < 400; t++) {
        const a = t % 10;
        const step = env.step(a);
        expected.set(a, step.info.expected as number);
        expect(step.info.optimal).toBe(a === info.optimalAction);
        residual += step.reward - (step.info.expected as number);
        residual2 += (step.reward - (step.info.expected as number)) ** 2;
        n++;
        if (t === 399) expect(step.truncated).toBe(true);
      }
      values.push(...expected.values());
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
    expect(Math.abs(residual / n)).toBeLessThan(0.01);
    expect(residual2 / n).toBeCloseTo(1, 1);
  });

  it('with drift, starts the arms equal and lets them walk apart', () => {
    const env = new TenArmedTestbed({ drift: 0.01 });
    env.reset({ seed: 3 });
    const first = env.step(0).info.expected as number;
    expect(first).toBe(0);
    let last = 0;
    for (let t = 1; t < 1000; t++) last = env.step(0).info.expected as number;
    // A walk of 1,000 steps of 0.01 spreads about 0.3.
    expect(Math.abs(last)).toBeGreaterThan(0.01);
    expect(Math.abs(last)).toBeLessThan(1.5);
  });

  it('refuses bad actions and steps outside an episode with typed errors, changing nothing', () => {
    const env = new TenArmedTestbed({ length: 3 });
    expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_RESET_NEEDED');
    env.reset({ seed: 1 });
    const before = env.getState();
    expect(thrown(() => env.step(10))).toBeInstanceOf(ShapeMismatchError);
    expect(thrown(() => env.step(-1))).toBeInstanceOf(ShapeMismatchError);
    expect(thrown(() => env.step(1.5))).toBeInstanceOf(ShapeMismatchError);
    expect(thrown(() => env.step(Number.NaN))).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => env.step('3' as never))).toBeInstanceOf(ShapeMismatchError);
    expect(thrown(() => env.step())).toBeInstanceOf(ShapeMismatchError);
    expect(env.getState()).toEqual(before);
    for (let t = 0; t < 3; t++) env.step(0);
    expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
    expect(thrown(() => new TenArmedTestbed({ arms: 1 }))).toBeInstanceOf(InvalidOptionError);
  });
});
