// Unit kinds of a layer and their local rules: the mean output for a pre-activation, how a
// code is drawn around it (noise for continuous units, a Bernoulli draw for binary stochastic
// units), and the slope d(mean)/d(pre) written through the mean, which the delta rules use.

import * as tf from '@tensorflow/tfjs';

export const UNITS = ['tanh', 'sigmoid', 'relu', 'linear', 'binary', 'sign'] as const;
export type Units = (typeof UNITS)[number];

/** The kind of output a decoder gives when it reconstructs codes of these units. */
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

/** The range codes of these units live in (for salt-and-pepper corruption and clipping). */
export function unitRange(units: Units): [number, number] {
  switch (units) {
    case 'tanh':
    case 'sign':
      return [-1, 1];
    case 'sigmoid':
    case 'binary':
      return [0, 1];
    case 'relu':
      return [0, 1];
    case 'linear':
      return [-1, 1];
  }
}

/** Mean output: tanh, logistic, max(0, ·), identity; P(h = 1) for binary; sign(·) for sign. */
export function unitMean(pre: tf.Tensor2D, units: Units): tf.Tensor2D {
  switch (units) {
    case 'tanh':
      return tf.tanh(pre);
    case 'sigmoid':
    case 'binary':
      return tf.sigmoid(pre);
    case 'relu':
      return tf.relu(pre);
    case 'linear':
      return pre;
    case 'sign':
      return tf.sign(pre);
  }
}

/**
 * A code drawn around the mean: binary units sample {0, 1} with probability `mean` (they are
 * stochastic by nature, so `noise` is not used); sign units are deterministic; continuous units
 * add gaussian noise of std `noise` (no draw when it is 0). `seed` comes from the caller's Rng.
 */
export function unitSample(mean: tf.Tensor2D, units: Units, noise: number, seed: number): tf.Tensor2D {
  if (units === 'binary') {
    return tf.cast(tf.less(tf.randomUniform(mean.shape, 0, 1, 'float32', seed), mean), 'float32') as tf.Tensor2D;
  }
  if (units === 'sign' || noise === 0) return mean;
  return tf.add(mean, tf.randomNormal(mean.shape, 0, noise, 'float32', seed));
}

/** Deterministic code for inference: binary units threshold at 1/2. */
export function unitMode(mean: tf.Tensor2D, units: Units): tf.Tensor2D {
  if (units === 'binary') return tf.cast(tf.greater(mean, 0.5), 'float32') as tf.Tensor2D;
  return mean;
}

/**
 * d(mean)/d(pre) written through the mean, or `null` where the local loss makes it cancel or
 * vanish: linear units (slope 1), binary stochastic units (cross-entropy with a logistic mean
 * gives the delta rule `p - target`) and sign units (the perceptron rule `sign(a) - target`).
 */
export function unitSlope(mean: tf.Tensor2D, units: Units): tf.Tensor2D | null {
  switch (units) {
    case 'tanh':
      return tf.sub<tf.Tensor2D>(1, tf.square(mean));
    case 'sigmoid':
      return tf.mul<tf.Tensor2D>(mean, tf.sub(1, mean));
    case 'relu':
      return tf.cast(tf.greater(mean, 0), 'float32') as tf.Tensor2D;
    case 'linear':
    case 'binary':
    case 'sign':
      return null;
  }
}
