// The priors over top codes: fitted online to codes that come in batches, each one's samples
// match the moments it fitted; its step goes up its log density; the Parzen bandwidth beats
// bandwidths far from it on held-out codes; state round-trips; bad codes are typed errors.

import { describe, expect, it } from 'vitest';
import { CheckpointError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { createPrior } from '../../src/priors/create-prior.js';
import type { ParzenPrior } from '../../src/priors/parzen-prior.js';
import { PRIOR_KINDS, type TopPrior } from '../../src/priors/top-prior.js';
import { Rng } from '../../src/random.js';
import { thrown } from '../helpers/thrown.js';

const SIZE = 4;
/** Codes h = A z + b: correlated, with spreads 1.2, 0.6, 0.3, 0.3 along their axes. */
const A = [
  [1, 0.5, 0, 0],
  [0.5, 0.3, 0.2, 0],
  [0, 0, 0.3, 0],
  [0, 0.2, 0, 0.25],
];
const B = [0.5, -0.2, 0.1, 0];

function codes(rows: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(rows * SIZE);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: SIZE }, () => rng.normal());
    for (let i = 0; i < SIZE; i++) out[r * SIZE + i] = B[i]! + A[i]!.reduce((s, a, k) => s + a * z[k]!, 0);
  }
  return out;
}

function moments(x: Float32Array): { mean: number[]; cov: number[][] } {
  const rows = x.length / SIZE;
  const mean = Array.from({ length: SIZE }, (_, i) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * SIZE + i]!;
    return s / rows;
  });
  const cov = mean.map((mi, i) =>
    mean.map((mj, j) => {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (x[r * SIZE + i]! - mi) * (x[r * SIZE + j]! - mj);
      return s / rows;
    }),
  );
  return { mean, cov };
}

function fitted(kind: (typeof PRIOR_KINDS)[number], data: Float32Array): TopPrior {
  const prior = createPrior(kind, SIZE, { history: 100_000, capacity: 2000 });
  for (let s = 0; s < data.length / SIZE; s += 50) prior.observe(data.subarray(s * SIZE, (s + 50) * SIZE), 50);
  return prior;
}

describe('priors over top codes', () => {
  const data = codes(2000, 1);
  const truth = moments(data);

  it('gaussian: samples have the fitted mean and full covariance', () => {
    const sample = moments(fitted('gaussian', data).sample(20_000, new Rng(2)));
    for (let i = 0; i < SIZE; i++) {
      expect(sample.mean[i]).toBeCloseTo(truth.mean[i]!, 1);
      for (let j = 0; j < SIZE; j++) expect(Math.abs(sample.cov[i]![j]! - truth.cov[i]![j]!)).toBeLessThan(0.03);
    }
  });

  it('factorial: samples have the fitted mean and variance per unit, and no correlation', () => {
    const sample = moments(fitted('factorial', data).sample(20_000, new Rng(2)));
    for (let i = 0; i < SIZE; i++) {
      expect(sample.mean[i]).toBeCloseTo(truth.mean[i]!, 1);
      expect(Math.abs(sample.cov[i]![i]! - truth.cov[i]![i]!)).toBeLessThan(0.03);
      for (let j = 0; j < i; j++) expect(Math.abs(sample.cov[i]![j]!)).toBeLessThan(0.03);
    }
    // The data's strongest correlation, which the factorial prior leaves out.
    expect(truth.cov[0]![1]!).toBeGreaterThan(0.5);
  });

  it('parzen: samples have the stored codes’ mean and their covariance plus σ²; nearest-neighbour the mean', () => {
    const parzen = fitted('parzen', data) as ParzenPrior;
    const sample = moments(parzen.sample(20_000, new Rng(2)));
    const s2 = parzen.bandwidth ** 2;
    for (let i = 0; i < SIZE; i++) {
      expect(sample.mean[i]).toBeCloseTo(truth.mean[i]!, 1);
      expect(Math.abs(sample.cov[i]![i]! - (truth.cov[i]![i]! + s2))).toBeLessThan(0.04);
    }
    const nn = moments(fitted('nearest-neighbour', data).sample(20_000, new Rng(2)));
    for (let i = 0; i < SIZE; i++) {
      expect(nn.mean[i]).toBeCloseTo(truth.mean[i]!, 1);
      // Between a code and its nearest neighbour: a little less spread than the codes.
      expect(nn.cov[i]![i]!).toBeLessThanOrEqual(truth.cov[i]![i]! * 1.01);
      expect(nn.cov[i]![i]!).toBeGreaterThan(truth.cov[i]![i]! * 0.8);
    }
  });

  it('steps up the log density (and the nearest-neighbour step reaches the nearest code)', () => {
    const probes = codes(200, 7).map((v) => v * 2);
    for (const kind of ['gaussian', 'factorial', 'parzen'] as const) {
      const prior = fitted(kind, data);
      const step = new Float32Array(probes.length);
      prior.step(probes, 200, step);
      const moved = probes.map((v, i) => v + 0.2 * step[i]!);
      const before = prior.logDensity(probes, 200);
      const after = prior.logDensity(moved, 200);
      const up = before.filter((b, r) => after[r]! > b).length;
      expect(up, kind).toBeGreaterThanOrEqual(195);
    }
    const nn = fitted('nearest-neighbour', data);
    const step = new Float32Array(SIZE);
    nn.step(probes.subarray(0, SIZE), 1, step);
    const reached = probes.subarray(0, SIZE).map((v, i) => v + step[i]!);
    const nearest = Math.min(
      ...Array.from({ length: 2000 }, (_, r) =>
        data.subarray(r * SIZE, (r + 1) * SIZE).reduce((s, v, i) => s + (v - probes[i]!) ** 2, 0),
      ),
    );
    expect(reached.reduce((s, v, i) => s + (v - probes[i]!) ** 2, 0)).toBeCloseTo(nearest, 4);
  });

  it('parzen: the bandwidth chosen on held-out codes scores them better than a quarter or four times it', () => {
    const parzen = fitted('parzen', data) as ParzenPrior;
    const chosen = parzen.bandwidth;
    const heldOut = codes(300, 11);
    const score = (sigma: number): number => {
      parzen.bandwidth = sigma;
      return parzen.logDensity(heldOut, 300).reduce((a, b) => a + b, 0);
    };
    const best = score(chosen);
    expect(best).toBeGreaterThan(score(chosen / 4));
    expect(best).toBeGreaterThan(score(chosen * 4));
  });

  it('round-trips its state exactly and refuses another kind’s or bad codes, changing nothing', () => {
    for (const kind of PRIOR_KINDS) {
      const prior = fitted(kind, data.subarray(0, 400 * SIZE));
      const copy = createPrior(kind, SIZE, { history: 100_000, capacity: 2000 });
      copy.setState(structuredClone(prior.getState()));
      expect(copy.sample(5, new Rng(3))).toEqual(prior.sample(5, new Rng(3)));
      const other = kind === 'gaussian' ? 'factorial' : 'gaussian';
      const foreign = createPrior(other, SIZE).getState();
      expect(thrown(() => copy.setState(foreign))).toBeInstanceOf(CheckpointError);
      expect(copy.getState()).toEqual(prior.getState());
      expect(thrown(() => prior.observe(new Float32Array(3), 1))).toBeInstanceOf(ShapeMismatchError);
      expect(thrown(() => prior.observe(Float32Array.of(0, 0, Number.NaN, 0), 1))).toBeInstanceOf(NonFiniteError);
      expect(prior.getState()).toEqual(copy.getState());
    }
  });
});
