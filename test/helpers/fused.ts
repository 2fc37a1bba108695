// For the fused engine's kernel tests: both fused engines by name, and seeded gaussian values.

import { fusedEngine, jsFusedEngine } from '../../src/math/fused-engine.js';
import type { Rng } from '../../src/random.js';

/** The fused engine (SIMD kernels where WebAssembly SIMD runs) and its plain JS twin. */
export const FUSED_ENGINES = [
  ['fused', fusedEngine],
  ['js', jsFusedEngine],
] as const;

/** `n` normal values of standard deviation `std`, drawn from `rng`. */
export function gaussianValues(rng: Rng, n: number, std = 1): Float32Array {
  return Float32Array.from({ length: n }, () => std * rng.normal());
}
