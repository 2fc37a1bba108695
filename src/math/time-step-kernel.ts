// One step of the sweep back in time (through-time.ts) for a part whose anchor g(h) is known:
// the target ĥ = h + d and what it sends back, g(ĥ) − g(h) (g a decoder, dense), its rows
// scaled down to at most `clip` × ‖d‖ (clip > 0) and masked by `continues` (null: none), in one
// call where the engine ops took five; the same float32 values as those ops.

import type { Activation, Engine } from './engine.js';
import { countedKernels, uncountedEngine } from './engine-counter.js';
import { type FusedMatrix, add, jsFusedEngine, simdFusedEngine as wasmFusedEngine } from './fused-engine.js';

type F = FusedMatrix;

export interface TimeStepKernel<M> {
  /** [ĥ, back] for code h, displacement d, the decoder (w, b, activation) and its anchor g(h). */
  step(code: M, d: M, w: M, b: M, activation: Activation, anchor: M, clip: number, continues: M | null): [M, M];
}

function timeStepWith(dense: (x: F, w: F, b: F, activation: Activation) => F): TimeStepKernel<F> {
  return {
    step(code, d, w, b, activation, anchor, clip, continues) {
      const target = add(code, d);
      const back = dense(target, w, b, activation);
      const { rows, cols } = back;
      const o = back.data;
      const a = anchor.data;
      const y = d.data;
      const m = continues?.data;
      for (let r = 0; r < rows; r++) {
        const at = r * cols;
        let na = 0;
        for (let c = 0; c < cols; c++) {
          const v = Math.fround(o[at + c]! - a[at + c]!);
          o[at + c] = v;
          na += v * v;
        }
        let scale = 1;
        if (clip > 0) {
          let nr = 0;
          for (let c = 0; c < d.cols; c++) nr += y[r * d.cols + c]! ** 2;
          const limit = clip * Math.sqrt(nr);
          const norm = Math.sqrt(na);
          scale = norm > limit ? limit / norm : 1;
        }
        if (scale !== 1) for (let c = 0; c < cols; c++) o[at + c] = o[at + c]! * scale;
        if (m && m[r] !== 1) for (let c = 0; c < cols; c++) o[at + c] = o[at + c]! * m[r]!;
      }
      return [target, back];
    },
  };
}

const jsTimeStep = timeStepWith(jsFusedEngine.dense);
const simdTimeStep = wasmFusedEngine ? timeStepWith(wasmFusedEngine.dense) : null;

/** The sweep's fused step for a fused engine, or null for another engine (which uses its ops). */
export function timeStepKernel<M>(e: Engine<M>): TimeStepKernel<M> | null {
  const base = uncountedEngine(e) as Engine<unknown>;
  const own = base === jsFusedEngine ? jsTimeStep : wasmFusedEngine && base === wasmFusedEngine ? simdTimeStep : null;
  return own && (countedKernels(e as Engine, 'timeStep', own) as unknown as TimeStepKernel<M>);
}
