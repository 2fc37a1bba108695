// Input corruption for denoising auto-encoders, on any engine: gaussian (x + level·ε), masking
// (each input zeroed with probability level) and salt-and-pepper (each input set to the low or
// the high end of its range with probability level). Draws come from the caller's Rng.

import type { Rng } from '../random.js';
import type { Engine } from './engine.js';

export const CORRUPTIONS = ['none', 'gaussian', 'masking', 'salt-and-pepper'] as const;
export type CorruptionKind = (typeof CORRUPTIONS)[number];

export interface Corruption {
  readonly kind: CorruptionKind;
  /** Noise std (gaussian) or probability of corrupting an input (masking, salt-and-pepper). */
  readonly level: number;
}

/** Corrupts `x`; `range` gives salt-and-pepper's two values. Returns `x` itself for 'none'. */
export function corrupt<M>(
  e: Engine<M>,
  x: M,
  corruption: Corruption,
  rng: Rng,
  range: readonly [number, number] = [0, 1],
): M {
  const { kind, level } = corruption;
  if (kind === 'none' || level === 0) return x;
  const rows = e.rows(x);
  const cols = e.cols(x);
  switch (kind) {
    case 'gaussian':
      return e.add(x, e.gaussian(rows, cols, level, rng));
    case 'masking':
      return e.mul(x, e.above(e.uniform(rows, cols, rng), level));
    case 'salt-and-pepper': {
      const [lo, hi] = range;
      const hit = e.above(e.sub(level, e.uniform(rows, cols, rng)), 0);
      const value = e.add(e.mul(e.above(e.uniform(rows, cols, rng), 0.5), hi - lo), lo);
      return e.add(x, e.mul(hit, e.sub(value, x)));
    }
  }
}
