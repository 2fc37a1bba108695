// Unit kinds of a layer and their local rules, on any engine: the mean output for a
// pre-activation, how a code is drawn around it (noise for continuous units, a Bernoulli draw
// for binary stochastic units), and the slope d(mean)/d(pre) written through the mean.

import { InvalidOptionError } from '../errors.js';
import type { Rng } from '../random.js';
import type { Activation, Engine } from './engine.js';

export const UNITS = ['tanh', 'sigmoid', 'relu', 'linear', 'binary', 'sign'] as const;
export type Units = (typeof UNITS)[number];

/** The output a decoder gives when it reconstructs codes of these units. */
export function decoderUnits(units: Units): 'tanh' | 'sigmoid' | 'linear' {
  switch (units) {
    case 'tanh':
    case 'sign':
      return 'tanh';
    case 'sigmoid':
    case 'binary':
      return 'sigmoid';
    case 'relu':
    case 'linear':
      return 'linear';
  }
}

/** The range codes of these units live in (salt-and-pepper corruption uses its two ends). */
export function unitRange(units: Units): [number, number] {
  return units === 'tanh' || units === 'sign' || units === 'linear' ? [-1, 1] : [0, 1];
}

function meanActivation(units: Units): Activation {
  return units === 'binary' ? 'sigmoid' : units;
}

/** Mean output: tanh, logistic, max(0, ·), identity; P(h = 1) for binary; sign(·) for sign. */
export function unitMean<M>(e: Engine<M>, pre: M, units: Units): M {
  return e.activate(pre, meanActivation(units));
}

/**
 * A code drawn around the mean: binary units sample {0, 1} with probability `mean` (stochastic
 * by nature, so `noise` is not used); continuous units add gaussian noise of std `noise`; sign
 * units draw sign(a + ε), ε ~ N(0, noise²), around their pre-activation `pre` (a stochastic sign
 * unit; SPEC §2.6's noise for units whose output cannot carry additive noise). No draw when
 * `noise` is 0, but for binary units.
 */
export function unitSample<M>(e: Engine<M>, mean: M, units: Units, noise: number, rng: Rng, pre?: M): M {
  if (units === 'binary') return e.above(e.sub(mean, e.uniform(e.rows(mean), e.cols(mean), rng)), 0);
  if (noise === 0) return mean;
  if (units === 'sign') {
    if (pre === undefined)
      throw new InvalidOptionError('unitSample: expected the pre-activation of a noisy sign unit, but got none');
    return unitMean(e, e.add(pre, e.gaussian(e.rows(pre), e.cols(pre), noise, rng)), 'sign');
  }
  return e.add(mean, e.gaussian(e.rows(mean), e.cols(mean), noise, rng));
}

/** Whether a layer's codes are drawn around its mean while training (binary units, or any noise). */
export function unitStochastic(units: Units, noise: number): boolean {
  return units === 'binary' || noise > 0;
}

/** Deterministic code for inference: binary units threshold at 1/2. */
export function unitMode<M>(e: Engine<M>, mean: M, units: Units): M {
  return units === 'binary' ? e.above(mean, 0.5) : mean;
}

/**
 * d(mean)/d(pre) written through the mean, or `null` where it is 1 or the local rule does without
 * it: linear units (slope 1) and sign units (the perceptron-style rule `sign(a) − target`).
 * Binary stochastic units take the logistic slope p(1 − p): their encoder regresses the probability
 * onto its target by squared error, which learnt faster than the cross-entropy delta rule `p − target`
 * that SPEC §2.5 names (MNIST 784-240-240-10, 20 epochs, seeds 1-3: 0.949 against 0.937). The slope
 * leaves units whose bit is already reliable alone; clipping the delta rule's target to [0, 1] did not
 * do the same (small digits: 0.537 against 0.532, the squared error 0.600).
 */
export function unitSlope<M>(e: Engine<M>, mean: M, units: Units): M | null {
  switch (units) {
    case 'tanh':
      return e.sub(1, e.square(mean));
    case 'sigmoid':
    case 'binary':
      return e.mul(mean, e.sub(1, mean));
    case 'relu':
      return e.above(mean, 0);
    case 'linear':
    case 'sign':
      return null;
  }
}

/**
 * Slope of a decoder output under its loss: tanh outputs under squared error; sigmoid under cross-entropy and linear
 * outputs need none.
 */
export function decoderSlope<M>(e: Engine<M>, out: M, kind: 'tanh' | 'sigmoid' | 'linear'): M | null {
  return kind === 'tanh' ? e.sub(1, e.square(out)) : null;
}
