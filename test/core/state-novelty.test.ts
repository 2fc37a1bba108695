import { describe, expect, it } from 'vitest';
import { CheckpointError, InvalidOptionError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { StateNovelty } from '../../src/metrics/state-novelty.js';
import { Rng } from '../../src/random.js';
import { thrown } from '../helpers/thrown.js';

/**
 * Codes of 8 entries in correlated pairs (j and j + 4 move together), like a learner's; `split`
 * moves the first of each pair up by it and the second down.
 */
function codes(rng: Rng, n: number, split = 0): Float64Array[] {
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: 4 }, () => rng.normal());
    return Float64Array.from({ length: 8 }, (_, j) => 0.3 * z[j % 4]! + 0.1 * rng.normal() + (j < 4 ? split : -split));
  });
}

describe('StateNovelty', () => {
  it('is calibrated on ordinary codes and flags codes that moved to where none has been', () => {
    const novelty = new StateNovelty(8);
    const rng = new Rng(1);
    const ordinary = codes(rng, 6000).map((c) => novelty.update(c));
    expect(ordinary.slice(0, 60).every((s) => s === 0)).toBe(true); // the fit warms up first
    const late = ordinary.slice(1000);
    // Measured: 1.0% of ordinary steps above 0.95, none above 0.99 (the score errs on the quiet side).
    expect(late.filter((s) => s > 0.95).length / late.length).toBeLessThan(0.1);
    expect(late.filter((s) => s > 0.99).length / late.length).toBeLessThan(0.03);
    // Each entry moved by under a spread of its own (0.32): ordinary alone; the pairs part, which
    // no code has done.
    const event = codes(rng, 60, 0.2).map((c) => novelty.update(c));
    // Measured: every step of the event from its 11th on above 0.99.
    expect(event.slice(10).filter((s) => s > 0.99).length / 50).toBeGreaterThan(0.8);
  });

  it('goes on exactly after a state round trip; a corrupt state changes nothing', () => {
    const rng = new Rng(2);
    const stream = codes(rng, 400);
    const a = new StateNovelty(8, { window: 5 });
    const b = new StateNovelty(8, { window: 5 });
    for (const c of stream.slice(0, 233)) a.update(c);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    const rest = stream.slice(233);
    expect(rest.map((c) => b.update(c))).toEqual(rest.map((c) => a.update(c)));
    const before = JSON.stringify(b.getState());
    const bad = { ...b.getState(), next: 7 };
    expect(thrown(() => b.setState(bad))).toBeInstanceOf(CheckpointError);
    const badFit = { ...b.getState(), frozen: { kind: 'gaussian', count: 1, mean: [1], covariance: [] } };
    expect(thrown(() => b.setState(badFit))).toBeInstanceOf(CheckpointError);
    expect(JSON.stringify(b.getState())).toBe(before);
  });

  it('refuses a code of the wrong size, a non-finite code and a bad size, with typed errors', () => {
    const novelty = new StateNovelty(3);
    expect(thrown(() => novelty.update([1, 2]))).toBeInstanceOf(ShapeMismatchError);
    expect(thrown(() => novelty.update([1, Number.NaN, 2]))).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => new StateNovelty(0))).toBeInstanceOf(InvalidOptionError);
    expect(thrown(() => new StateNovelty(3, { window: 0 }))).toBeInstanceOf(InvalidOptionError);
  });
});
