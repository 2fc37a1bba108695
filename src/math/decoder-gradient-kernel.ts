// A dense decoder's local gradients (denoising-layer.ts) in one call where the engine ops took
// about ten: for a reconstruction r = g(hidden) and its target t, with batch b,
//   error = r − t;  delta = error ⊙ slope / b (slope 1 − r² for tanh, else 1);
//   ∂W = hiddenᵀ·delta;  ∂b = Σ_rows delta;  loss = Σ error² / 2b,
// rounded to float32 where those ops round, so the values are theirs exactly. With `into`, ∂W is
// written there (in place in the kernels' memory on the SIMD engine: nothing copied out and back).

import type { Activation, Engine } from './engine.js';
import { countedKernels, uncountedEngine } from './engine-counter.js';
import {
  type FusedMatrix,
  jsFusedEngine,
  jsMatMulAT,
  make,
  scalar,
  simdFusedEngine as wasmFusedEngine,
  wasmMatMulAT,
  wasmMatMulATInto,
} from './fused-engine.js';

type F = FusedMatrix;

export interface DecoderGradientKernel<M> {
  gradients(
    hidden: M,
    r: M,
    target: M,
    activation: Activation,
    batch: number,
    into?: M | null,
  ): { readonly weights: M; readonly bias: M; readonly delta: M; readonly loss: M };
}

type Into = (a: F, b: F, into: F) => F;

function decoderGradientsWith(matMulAT: (a: F, b: F) => F, matMulATInto: Into): DecoderGradientKernel<F> {
  return {
    gradients(hidden, r, target, activation, batch, into) {
      const { rows, cols } = r;
      const delta = make(rows, cols);
      const bias = make(1, cols);
      const [rv, tv, dv, bv] = [r.data, target.data, delta.data, bias.data];
      const scale = 1 / batch;
      const tanhSlope = activation === 'tanh';
      let squares = 0;
      for (let i = 0, k = 0; i < rows; i++) {
        for (let c = 0; c < cols; c++, k++) {
          const error = Math.fround(rv[k]! - tv[k]!);
          squares += Math.fround(error * error);
          const slope = tanhSlope ? Math.fround(1 - Math.fround(rv[k]! * rv[k]!)) : 1;
          const d = Math.fround(Math.fround(error * slope) * scale);
          dv[k] = d;
          bv[c] = bv[c]! + d;
        }
      }
      const weights = into ? matMulATInto(hidden, delta, into) : matMulAT(hidden, delta);
      return { weights, bias, delta, loss: scalar(Math.fround(squares) * (1 / (2 * batch))) };
    },
  };
}

const jsInto: Into = (a, b, into) => {
  into.data.set(jsMatMulAT(a, b).data);
  return into;
};
const jsDecoderGradients = decoderGradientsWith(jsMatMulAT, jsInto);
const simdDecoderGradients = wasmFusedEngine ? decoderGradientsWith(wasmMatMulAT, wasmMatMulATInto) : null;

/** Decoder gradients in one call for a fused engine, or null for another engine (which uses its ops). */
export function decoderGradientKernel<M>(e: Engine<M>): DecoderGradientKernel<M> | null {
  const base = uncountedEngine(e) as Engine<unknown>;
  const own =
    base === jsFusedEngine
      ? jsDecoderGradients
      : wasmFusedEngine && base === wasmFusedEngine
        ? simdDecoderGradients
        : null;
  const flops = (_key: string, args: unknown[]): number => {
    const [hidden, r] = args as [F, F];
    return 2 * hidden.rows * hidden.cols * r.cols;
  };
  return own && (countedKernels(e as Engine, 'decoder', own, flops) as unknown as DecoderGradientKernel<M>);
}
