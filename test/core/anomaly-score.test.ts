import { describe, expect, it } from 'vitest';
import { CheckpointError, InvalidOptionError, NonFiniteError } from '../../src/errors.js';
import { AnomalyScore, normalCdf } from '../../src/metrics/anomaly-score.js';
import { Rng } from '../../src/random.js';

/** Squared errors of a unit-variance gaussian residual. */
function noise(rng: Rng, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (scale * rng.normal()) ** 2);
}

describe('normalCdf', () => {
  it('matches the standard normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalCdf(3)).toBeCloseTo(0.99865, 5);
  });
});

describe('AnomalyScore', () => {
  it('gives 0 through the warm-up and no large score in the cold start', () => {
    const score = new AnomalyScore({ warmup: 20 });
    const rng = new Rng(1);
    // Two nearly equal readings, then an ordinary one: a spread measured on two would call it extreme.
    expect(score.update(1e-4)).toBe(0);
    expect(score.update(1.1e-4)).toBe(0);
    const scores = [...noise(rng, 60, 0.01)].map((e) => score.update(e));
    expect(scores.slice(0, 25).every((s) => s === 0)).toBe(true);
    expect(Math.max(...scores.slice(30))).toBeLessThan(0.99);
  });

  it('is calibrated on ordinary errors: about 5% of windows score above 0.95', () => {
    const score = new AnomalyScore();
    const rng = new Rng(2);
    const scores = noise(rng, 20000).map((e) => score.update(e));
    const late = scores.slice(2000);
    const above = late.filter((s) => s > 0.95).length / late.length;
    expect(above).toBeGreaterThan(0.01);
    expect(above).toBeLessThan(0.1);
    expect(late.filter((s) => s > 0.999).length / late.length).toBeLessThan(0.01);
  });

  it('flags a spike and a level shift, and keeps flagging a long anomaly', () => {
    const rng = new Rng(3);
    const score = new AnomalyScore();
    for (const e of noise(rng, 3000)) score.update(e);
    expect(score.update(400)).toBeGreaterThan(0.95); // one error 20 σ out, in a window of 10
    for (const e of noise(rng, 50)) score.update(e);
    // An event that lasts 300 readings, errors 25 times the usual.
    const during = noise(rng, 300, 5).map((e) => score.update(e));
    expect(during.slice(5).filter((s) => s > 0.99).length).toBeGreaterThan(0.9 * 295);
    // A lasting change is the new norm after a few histories' worth.
    const after = noise(rng, 6000, 5).map((e) => score.update(e));
    expect(after.slice(-1000).filter((s) => s > 0.99).length).toBeLessThan(50);
  });

  it('saves and restores its state exactly, and rejects a damaged one', () => {
    const rng = new Rng(4);
    const a = new AnomalyScore({ window: 5 });
    for (const e of noise(rng, 200)) a.update(e);
    const b = new AnomalyScore({ window: 5 });
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    const next = noise(rng, 50);
    expect(next.map((e) => b.update(e))).toEqual(next.map((e) => a.update(e)));
    const damaged = { ...a.getState(), errors: [1, 2] };
    expect(() => b.setState(damaged)).toThrow(CheckpointError);
    expect(() => b.setState({ ...a.getState(), variance: [-1] })).toThrow(CheckpointError);
    expect(() => b.setState({ ...a.getState(), next: 7 })).toThrow(CheckpointError);
  });

  it('rejects bad options and errors with typed errors', () => {
    expect(() => new AnomalyScore({ window: 0 })).toThrow(InvalidOptionError);
    expect(() => new AnomalyScore({ history: 1.5 })).toThrow(InvalidOptionError);
    const score = new AnomalyScore();
    expect(() => score.update(Number.NaN)).toThrow(NonFiniteError);
    expect(() => score.update(-1)).toThrow(NonFiniteError);
  });
});
