// Input corruption for denoising auto-encoders: gaussian (x + level·ε), masking (each input
// zeroed with probability level) and salt-and-pepper (each input set to the low or the high end
// of its range with probability level). Seeds come from the caller's Rng.

import * as tf from '@tensorflow/tfjs';

export const CORRUPTIONS = ['none', 'gaussian', 'masking', 'salt-and-pepper'] as const;
export type CorruptionKind = (typeof CORRUPTIONS)[number];

export interface Corruption {
  readonly kind: CorruptionKind;
  /** Noise std (gaussian) or probability of corrupting an input (masking, salt-and-pepper). */
  readonly level: number;
}

/** Corrupts `x`; `range` gives salt-and-pepper's two values. Returns `x` itself for 'none'. */
export function corrupt(x: tf.Tensor2D, corruption: Corruption, seed: number, range: readonly [number, number] = [0, 1]): tf.Tensor2D {
  const { kind, level } = corruption;
  if (kind === 'none' || level === 0) return x;
  switch (kind) {
    case 'gaussian':
      return tf.add(x, tf.randomNormal(x.shape, 0, level, 'float32', seed));
    case 'masking': {
      const keep = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', seed), level));
      return tf.mul(x, keep);
    }
    case 'salt-and-pepper': {
      const [lo, hi] = range;
      const hit = tf.step(tf.sub(level, tf.randomUniform(x.shape, 0, 1, 'float32', seed)));
      const high = tf.step(tf.sub(tf.randomUniform(x.shape, 0, 1, 'float32', seed + 1), 0.5));
      const value = tf.add(lo, tf.mul(hi - lo, high));
      return tf.add(x, tf.mul(hit, tf.sub(value, x)));
    }
  }
}
