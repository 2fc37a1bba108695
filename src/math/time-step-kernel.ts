// One step of the sweep back in time (through-time.ts) for a part whose anchor g(h) is known:
// the target ĥ = h + d and what it sends back, g(ĥ) − g(h) (g a decoder, dense), its rows
// scaled down to at most `clip` × ‖d‖ (clip > 0) and masked by `continues` (null: none), in one
// call where the engine ops took five; the same float32 values as those ops. On the SIMD engine
// the whole sweep of a one-layer stack is one call too (`sweep`, kernels.wat's time_sweep).

import type { Activation, Engine } from './engine.js';
import { countedKernels, uncountedEngine } from './engine-counter.js';
import {
  type FusedMatrix,
  add,
  copied,
  heap,
  jsFusedEngine,
  padded,
  WASM_MIN_MACS,
  WASM_MIN_TANH,
  simdFusedEngine as wasmFusedEngine,
} from './fused-engine.js';
import { kernels } from './wasm-kernels.js';

type F = FusedMatrix;

export interface TimeStepKernel<M> {
  /** [ĥ, back] for code h, displacement d, the decoder (w, b, activation) and its anchor g(h). */
  step(code: M, d: M, w: M, b: M, activation: Activation, anchor: M, clip: number, continues: M | null): [M, M];
  /**
   * The whole sweep of a one-layer stack over n steps, newest last: per step its code, the top's
   * displacement (null: none) and its continues ([rows, 1]); the context decoder (w [cols, cols],
   * b, activation). The targets per step (null where nothing arrived), the values of the sweep by
   * `step` and engine ops; or null where this engine cannot (the caller then sweeps step by step).
   */
  sweep(
    codes: readonly M[],
    tops: readonly (M | null)[],
    continues: readonly M[],
    w: M,
    b: M,
    activation: Activation,
    clip: number,
  ): (M | null)[] | null;
}

function simdSweep(
  codes: readonly F[],
  tops: readonly (F | null)[],
  continues: readonly F[],
  w: F,
  b: F,
  activation: Activation,
  clip: number,
): (F | null)[] | null {
  const n = codes.length;
  const { rows, cols } = codes[0]!;
  const rc = rows * cols;
  const tanh = activation === 'tanh';
  // Where the step-by-step sweep's products and tanh would leave wasm, its values are the JS
  // kernels' (fused-engine.ts's thresholds): that sweep is left to run.
  if (
    !kernels ||
    n === 0 ||
    (!tanh && activation !== 'linear') ||
    w.offset < 0 ||
    b.offset < 0 ||
    w.rows !== cols ||
    w.cols !== cols ||
    rows * cols * cols < WASM_MIN_MACS ||
    (tanh && rc < WASM_MIN_TANH)
  )
    return null;
  const block = padded(n * rc);
  // codes, tops, targets (blocks of n·rows·cols), continues, the two flag rows, then the
  // kernel's scratch: three blocks of rows·cols and the anchors.
  const [ho, to, tt, co] = [0, 1, 2, 3].map((k) => k * block);
  const hasAt = co! + padded(n * rows);
  const outAt = hasAt + padded(n);
  const sAt = outAt + padded(n);
  const at = heap.scratch(4 * (sAt + 3 * padded(rc) + block));
  if (at < 0) return null;
  const f32 = heap.f32;
  const base = at >> 2;
  for (let i = 0; i < n; i++) {
    f32.set(codes[i]!.data, base + ho! + i * rc);
    const top = tops[i];
    if (top) f32.set(top.data, base + to! + i * rc);
    f32[base + hasAt + i] = top ? 1 : 0;
    f32.set(continues[i]!.data, base + co! + i * rows);
  }
  kernels.time_sweep(
    at + 4 * ho!,
    at + 4 * to!,
    at + 4 * hasAt,
    at + 4 * co!,
    w.offset,
    b.offset,
    tanh ? 1 : 0,
    clip,
    at + 4 * tt!,
    at + 4 * outAt,
    at + 4 * sAt,
    n,
    rows,
    cols,
  );
  const targets: (F | null)[] = [];
  for (let i = 0; i < n; i++) {
    const from = base + tt! + i * rc;
    targets.push(f32[base + outAt + i] ? copied(rows, cols, f32.subarray(from, from + rc)) : null);
  }
  return targets;
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
    sweep: () => null,
  };
}

const jsTimeStep = timeStepWith(jsFusedEngine.dense);
const simdTimeStep = wasmFusedEngine ? { ...timeStepWith(wasmFusedEngine.dense), sweep: simdSweep } : null;

/** The sweep's fused step for a fused engine, or null for another engine (which uses its ops). */
export function timeStepKernel<M>(e: Engine<M>): TimeStepKernel<M> | null {
  const base = uncountedEngine(e) as Engine<unknown>;
  const own = base === jsFusedEngine ? jsTimeStep : wasmFusedEngine && base === wasmFusedEngine ? simdTimeStep : null;
  return own && (countedKernels(e as Engine, 'timeStep', own) as unknown as TimeStepKernel<M>);
}
