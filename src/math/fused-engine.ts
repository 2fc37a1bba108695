// The fused implementation of Engine: Float32Array kernels, each one loop with no dispatch
// cost, for online learning at batch 1 where tfjs spends 10 to 30 µs per op on wasm whatever
// its size. Results are fresh arrays (small ones views of shared slabs) left to the garbage
// collector, so scopes have nothing to do.
//
// The heavy kernels (products, optimiser steps, tanh) run as WebAssembly SIMD (kernels.wat,
// loaded by wasm-kernels.ts) when it validates here and TPROP_FUSED_WASM is not 0: parameters
// and optimiser slots then live in the kernels' memory (`free` returns their space), so only
// activations are copied in. Otherwise, and for small products, plain JS loops do the work.
// The JS products accumulate in float64 and round at each store, the SIMD ones in float32, so
// the two agree to a few ulps per operation (test/math/fused-kernels.test.ts); products of one
// row skip zero inputs (one-hot rows) in both. `jsFusedEngine` keeps the JS kernels always.

import type { Rng } from '../random.js';
import type { Activation, Engine } from './engine.js';
import { type KernelHeap, kernelHeap, kernels } from './wasm-kernels.js';

const heap = kernelHeap as KernelHeap;

export class FusedMatrix {
  /**
   * Byte offset of the values in the kernels' memory (a parameter or optimiser slot made while
   * the SIMD kernels are on), or −1 for a plain array.
   */
  offset: number;
  private view: Float32Array;
  private generation: number;

  constructor(
    readonly rows: number,
    readonly cols: number,
    data: Float32Array,
    offset = -1,
  ) {
    this.view = data;
    this.offset = offset;
    this.generation = offset >= 0 ? heap.generation : -1;
  }

  /**
   * The values, row-major. For a parameter living in the kernels' memory this is a view of
   * that memory, valid until the next parameter is made (which may grow, and so detach, it):
   * read it when needed rather than holding on to it, or copy it out with `read`.
   */
  get data(): Float32Array {
    if (this.offset >= 0 && this.generation !== heap.generation) {
      this.view = new Float32Array(heap.memory.buffer, this.offset, this.rows * this.cols);
      this.generation = heap.generation;
    }
    return this.view;
  }

  /** Moves the values out of the kernels' memory into a plain array (on `free`). */
  evict(): void {
    if (this.offset < 0) return;
    const copy = this.data.slice();
    residents.unregister(this);
    heap.release(this.offset);
    this.offset = -1;
    this.view = copy;
  }
}

/** Parameters dropped without `free` return their block when collected. */
const residents = new FinalizationRegistry<number>((offset) => heap.release(offset));

type F = FusedMatrix;
// Results up to 1024 entries are views of 32 kB slabs rather than arrays of their own: a typed
// array of its own above 64 bytes gets a separately allocated backing store, which costs an
// order of magnitude more to make and to collect than a view, and a step makes hundreds. A
// slab is collected once no view of it is left. (So `data.buffer` of a result may be shared:
// use `read` for a copy of one's own.)
const SLAB_BYTES = 32 * 1024;
const SLAB_MAX = 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabAt = 0;

/** n zeros, as a view of a slab when small. */
function zerosArray(n: number): Float32Array {
  if (n > SLAB_MAX) return new Float32Array(n);
  if (slabAt + 4 * n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabAt = 0;
  }
  const out = new Float32Array(slab, slabAt, n);
  slabAt += 4 * n;
  return out;
}

/** A copy of `data`. */
function copyArray(data: ArrayLike<number>): Float32Array {
  const out = zerosArray(data.length);
  out.set(data);
  return out;
}

const make = (rows: number, cols: number): F => new FusedMatrix(rows, cols, zerosArray(rows * cols));

type Op = (x: number, y: number) => number;
const ADD: Op = (x, y) => x + y;
const SUB: Op = (x, y) => x - y;
const MUL: Op = (x, y) => x * y;

/** a ∘ b with b (or a) a matrix of the same shape, a [1, cols] row, a [rows, 1] column or a number. */
function zip(a: F | number, b: F | number, op: Op): F {
  if (typeof a === 'number') {
    const m = b as F;
    const out = make(m.rows, m.cols);
    const y = m.data;
    const o = out.data;
    for (let i = 0; i < y.length; i++) o[i] = op(a, y[i]!);
    return out;
  }
  const out = make(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  if (typeof b === 'number') {
    for (let i = 0; i < x.length; i++) o[i] = op(x[i]!, b);
    return out;
  }
  const y = b.data;
  if (b.rows === a.rows && b.cols === a.cols) {
    for (let i = 0; i < x.length; i++) o[i] = op(x[i]!, y[i]!);
  } else if (b.rows === 1 && b.cols === a.cols) {
    for (let r = 0, k = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++, k++) o[k] = op(x[k]!, y[c]!);
  } else if (b.cols === 1 && b.rows === a.rows) {
    for (let r = 0, k = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++, k++) o[k] = op(x[k]!, y[r]!);
  } else if (a.rows === 1 && a.cols === b.cols) {
    return zip(b, a, (p, q) => op(q, p));
  } else if (a.cols === 1 && a.rows === b.rows) {
    const wide = make(b.rows, b.cols);
    const w = wide.data;
    for (let r = 0, k = 0; r < b.rows; r++) for (let c = 0; c < b.cols; c++, k++) w[k] = op(x[r]!, y[k]!);
    return wide;
  } else {
    throw new RangeError(
      `fused: expected broadcastable shapes, but got [${a.rows}, ${a.cols}] and [${b.rows}, ${b.cols}]`,
    );
  }
  return out;
}

// add, sub and mul are written out per operation for their common shapes (same shape, a row
// broadcast, a number): a shared loop calling `op` would not be inlined and costs several times more.
function add(a: F, b: F | number): F {
  const x = a.data;
  const out = make(a.rows, a.cols);
  const o = out.data;
  if (typeof b === 'number') {
    for (let i = 0; i < x.length; i++) o[i] = x[i]! + b;
  } else if (b.rows === a.rows && b.cols === a.cols) {
    const y = b.data;
    for (let i = 0; i < x.length; i++) o[i] = x[i]! + y[i]!;
  } else if (b.rows === 1 && b.cols === a.cols) {
    const y = b.data;
    for (let r = 0, k = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++, k++) o[k] = x[k]! + y[c]!;
  } else return zip(a, b, ADD);
  return out;
}

function sub(a: F | number, b: F | number): F {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw new RangeError('fused: expected a matrix operand, but got two numbers');
    const y = b.data;
    const out = make(b.rows, b.cols);
    const o = out.data;
    for (let i = 0; i < y.length; i++) o[i] = a - y[i]!;
    return out;
  }
  const x = a.data;
  const out = make(a.rows, a.cols);
  const o = out.data;
  if (typeof b === 'number') {
    for (let i = 0; i < x.length; i++) o[i] = x[i]! - b;
  } else if (b.rows === a.rows && b.cols === a.cols) {
    const y = b.data;
    for (let i = 0; i < x.length; i++) o[i] = x[i]! - y[i]!;
  } else return zip(a, b, SUB);
  return out;
}

function mul(a: F, b: F | number): F {
  const x = a.data;
  const out = make(a.rows, a.cols);
  const o = out.data;
  if (typeof b === 'number') {
    for (let i = 0; i < x.length; i++) o[i] = x[i]! * b;
  } else if (b.rows === a.rows && b.cols === a.cols) {
    const y = b.data;
    for (let i = 0; i < x.length; i++) o[i] = x[i]! * y[i]!;
  } else if (b.cols === 1 && b.rows === a.rows) {
    const y = b.data;
    for (let r = 0, k = 0; r < a.rows; r++) {
      const v = y[r]!;
      for (let c = 0; c < a.cols; c++, k++) o[k] = x[k]! * v;
    }
  } else return zip(a, b, MUL);
  return out;
}

function tanh(a: F): F {
  const out = make(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < x.length; i++) o[i] = Math.tanh(x[i]!);
  return out;
}

function square(a: F): F {
  const out = make(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < x.length; i++) o[i] = x[i]! * x[i]!;
  return out;
}

/**
 * out[i, j] += Σ_p A[i, p]·w[p, j] for i < rows, p < inner, j < cols, where A is `x` read by rows
 * ([rows, inner]) or, with `columns`, by columns (x is [inner, rows]: the product xᵀ·w). Four
 * rows of w are folded in per pass over out's row, and all-zero input groups (one-hot inputs,
 * masked rows) are skipped.
 */
function accumulateProduct(
  x: Float32Array,
  w: Float32Array,
  o: Float32Array,
  rows: number,
  inner: number,
  cols: number,
  columns: boolean,
): void {
  const si = columns ? 1 : inner; // stride between rows of A
  const sp = columns ? rows : 1; // stride between entries of a row of A
  for (let i = 0; i < rows; i++) {
    const oi = i * cols;
    const xi = i * si;
    let p = 0;
    for (; p + 3 < inner; p += 4) {
      const v0 = x[xi + p * sp]!;
      const v1 = x[xi + (p + 1) * sp]!;
      const v2 = x[xi + (p + 2) * sp]!;
      const v3 = x[xi + (p + 3) * sp]!;
      if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
      const w0 = p * cols;
      const w1 = w0 + cols;
      const w2 = w1 + cols;
      const w3 = w2 + cols;
      for (let j = 0; j < cols; j++) o[oi + j] += v0 * w[w0 + j]! + v1 * w[w1 + j]! + v2 * w[w2 + j]! + v3 * w[w3 + j]!;
    }
    for (; p < inner; p++) {
      const v = x[xi + p * sp]!;
      if (v === 0) continue;
      const wp = p * cols;
      for (let j = 0; j < cols; j++) o[oi + j] += v * w[wp + j]!;
    }
  }
}

function transpose(a: F): F {
  const out = make(a.cols, a.rows);
  const x = a.data;
  const o = out.data;
  for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) o[c * a.rows + r] = x[r * a.cols + c]!;
  return out;
}

function map(a: F, f: (x: number) => number): F {
  const out = make(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < x.length; i++) o[i] = f(x[i]!);
  return out;
}

// The plain JS kernels for products and optimiser steps (the SIMD ones are below).

function jsMatMul(a: F, b: F): F {
  const out = make(a.rows, b.cols);
  accumulateProduct(a.data, b.data, out.data, a.rows, a.cols, b.cols, false);
  return out;
}

function jsMatMulAT(a: F, b: F): F {
  // (aᵀ·b)[p, j] = Σ_i a[i, p]·b[i, j]: the same accumulation with a read by columns.
  const out = make(a.cols, b.cols);
  accumulateProduct(a.data, b.data, out.data, a.cols, a.rows, b.cols, true);
  return out;
}

function jsMatMulBT(a: F, b: F): F {
  // (a·bᵀ)[i, j] = Σ_p a[i, p]·b[j, p]: dot products of rows, four partial sums at a time.
  const k = a.cols;
  const m = b.rows;
  const out = make(a.rows, m);
  if (a.rows > 1) {
    // Several rows: transposing b once makes the faster row-accumulating product pay.
    accumulateProduct(a.data, transpose(b).data, out.data, a.rows, k, m, false);
    return out;
  }
  const x = a.data;
  const w = b.data;
  const o = out.data;
  for (let i = 0; i < a.rows; i++) {
    const ai = i * k;
    for (let j = 0; j < m; j++) {
      const bj = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += x[ai + p]! * w[bj + p]!;
        s1 += x[ai + p + 1]! * w[bj + p + 1]!;
        s2 += x[ai + p + 2]! * w[bj + p + 2]!;
        s3 += x[ai + p + 3]! * w[bj + p + 3]!;
      }
      for (; p < k; p++) s0 += x[ai + p]! * w[bj + p]!;
      o[i * m + j] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}

function jsSgdStep(p: F, g: F, velocity: F | null, learningRate: number, momentum: number): void {
  const w = p.data;
  const d = g.data;
  if (!velocity) {
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - learningRate * d[i]!;
    return;
  }
  const v = velocity.data;
  for (let i = 0; i < w.length; i++) {
    v[i] = momentum * v[i]! + d[i]!;
    w[i] = w[i]! - learningRate * v[i]!;
  }
}

function jsRmspropStep(p: F, g: F, s: F, learningRate: number, rho: number, epsilon: number): void {
  const w = p.data;
  const d = g.data;
  const q = s.data;
  for (let i = 0; i < w.length; i++) {
    const gi = d[i]!;
    q[i] = rho * q[i]! + (1 - rho) * gi * gi;
    w[i] = w[i]! - (learningRate * gi) / (Math.sqrt(q[i]!) + epsilon);
  }
}

function jsAdamStep(p: F, g: F, m: F, v: F, stepSize: number, beta1: number, beta2: number, epsilon: number): void {
  const w = p.data;
  const d = g.data;
  const mm = m.data;
  const vv = v.data;
  for (let i = 0; i < w.length; i++) {
    const gi = d[i]!;
    mm[i] = beta1 * mm[i]! + (1 - beta1) * gi;
    vv[i] = beta2 * vv[i]! + (1 - beta2) * gi * gi;
    w[i] = w[i]! - (stepSize * mm[i]!) / (Math.sqrt(vv[i]!) + epsilon);
  }
}

/** The fused engine with plain JS kernels only (parameters are plain arrays). */
/**
 * activate(x·w + b): the product, the bias added in place to the product's own fresh result (the
 * same float32 sums as `add`), then the activation; one result made where `add` made another.
 */
function denseWith(matMul: (a: F, b: F) => F, activate: (pre: F, activation: Activation) => F) {
  return (x: F, w: F, b: F, activation: Activation): F => {
    const pre = matMul(x, w);
    const cols = pre.cols;
    if (b.rows !== 1 || b.cols !== cols)
      throw new RangeError(`fused: expected a [1, ${cols}] bias, but got [${b.rows}, ${b.cols}]`);
    const o = pre.data;
    const bias = b.data;
    for (let r = 0, k = 0; r < pre.rows; r++) for (let c = 0; c < cols; c++, k++) o[k] = o[k]! + bias[c]!;
    return activate(pre, activation);
  };
}

export const jsFusedEngine: Engine<F> = {
  kind: 'fused',
  scope: (fn) => fn(),
  keep: (m) => m,
  free: () => {},
  live: () => 0,
  rows: (m) => m.rows,
  cols: (m) => m.cols,
  matrix: (data, rows, cols) => new FusedMatrix(rows, cols, copyArray(data)),
  zeros: (rows, cols) => make(rows, cols),
  read: (m) => m.data.slice(),
  parameter: (data, rows, cols) => new FusedMatrix(rows, cols, Float32Array.from(data)),
  zerosParameter: (rows, cols) => make(rows, cols),
  assign: (p, value) => p.data.set(value.data),

  matMul: jsMatMul,
  dense: denseWith(jsMatMul, (pre, activation) => jsFusedEngine.activate(pre, activation)),
  matMulAT: jsMatMulAT,
  matMulBT: jsMatMulBT,
  add,
  sub,
  mul,
  square,
  sumRows: (a) => {
    const out = make(1, a.cols);
    const x = a.data;
    const o = out.data;
    for (let r = 0, k = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++, k++) o[c] += x[k]!;
    return out;
  },
  sumAll: (a) => {
    let s = 0;
    const x = a.data;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    return new FusedMatrix(1, 1, Float32Array.of(s));
  },
  concatCols: (ms) => {
    if (ms.length === 1) return ms[0]!;
    const rows = ms[0]!.rows;
    const cols = ms.reduce((n, m) => n + m.cols, 0);
    const out = make(rows, cols);
    for (let r = 0; r < rows; r++) {
      let at = r * cols;
      for (const m of ms) {
        out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), at);
        at += m.cols;
      }
    }
    return out;
  },
  concatRows: (ms) => {
    if (ms.length === 1) return ms[0]!;
    const out = make(
      ms.reduce((n, m) => n + m.rows, 0),
      ms[0]!.cols,
    );
    let at = 0;
    for (const m of ms) {
      out.data.set(m.data, at);
      at += m.data.length;
    }
    return out;
  },
  splitRows: (m, parts) => {
    if (parts === 1) return [m];
    const rows = m.rows / parts;
    const x = m.data;
    return Array.from(
      { length: parts },
      (_, i) => new FusedMatrix(rows, m.cols, copyArray(x.subarray(i * rows * m.cols, (i + 1) * rows * m.cols))),
    );
  },
  sliceCols: (m, start, size) => {
    const out = make(m.rows, size);
    for (let r = 0; r < m.rows; r++)
      out.data.set(m.data.subarray(r * m.cols + start, r * m.cols + start + size), r * size);
    return out;
  },
  activate: (pre, activation: Activation) => {
    switch (activation) {
      case 'tanh':
        return tanh(pre);
      case 'sigmoid':
        return map(pre, (x) => 1 / (1 + Math.exp(-x)));
      case 'relu':
        return map(pre, (x) => Math.max(x, 0));
      case 'linear':
        return pre;
      case 'sign':
        return map(pre, Math.sign);
      case 'softmax': {
        const out = make(pre.rows, pre.cols);
        const x = pre.data;
        const o = out.data;
        for (let r = 0; r < pre.rows; r++) {
          const at = r * pre.cols;
          let top = -Infinity;
          for (let c = 0; c < pre.cols; c++) top = Math.max(top, x[at + c]!);
          let z = 0;
          for (let c = 0; c < pre.cols; c++) z += o[at + c] = Math.exp(x[at + c]! - top);
          for (let c = 0; c < pre.cols; c++) o[at + c] = o[at + c]! / z;
        }
        return out;
      }
    }
  },
  above: (a, threshold) => map(a, (x) => (x > threshold ? 1 : 0)),
  oneHotArgMax: (a) => {
    const out = make(a.rows, a.cols);
    const x = a.data;
    for (let r = 0; r < a.rows; r++) {
      let best = 0;
      for (let c = 1; c < a.cols; c++) if (x[r * a.cols + c]! > x[r * a.cols + best]!) best = c;
      out.data[r * a.cols + best] = 1;
    }
    return out;
  },
  rowMax: (a) => {
    const out = make(a.rows, 1);
    const x = a.data;
    const o = out.data;
    for (let r = 0; r < a.rows; r++) {
      let top = -Infinity;
      for (let c = 0; c < a.cols; c++) top = Math.max(top, x[r * a.cols + c]!);
      o[r] = top;
    }
    return out;
  },
  clipRowNorms: (a, ref, factor) => {
    const out = make(a.rows, a.cols);
    const x = a.data;
    const y = ref.data;
    const o = out.data;
    for (let r = 0; r < a.rows; r++) {
      let na = 0;
      let nr = 0;
      for (let c = 0; c < a.cols; c++) na += x[r * a.cols + c]! ** 2;
      for (let c = 0; c < ref.cols; c++) nr += y[r * ref.cols + c]! ** 2;
      const limit = factor * Math.sqrt(nr);
      const norm = Math.sqrt(na);
      const scale = norm > limit ? limit / norm : 1;
      for (let c = 0; c < a.cols; c++) o[r * a.cols + c] = x[r * a.cols + c]! * scale;
    }
    return out;
  },
  crossEntropy: (p, y) => {
    let s = 0;
    const q = p.data;
    const t = y.data;
    for (let i = 0; i < q.length; i++) if (t[i] !== 0) s -= t[i]! * Math.log(Math.max(q[i]!, 1e-7));
    return new FusedMatrix(1, 1, Float32Array.of(s));
  },
  gaussian: (rows, cols, std, rng: Rng) => {
    const out = make(rows, cols);
    const o = out.data;
    for (let i = 0; i < o.length; i++) o[i] = std * rng.normal();
    return out;
  },
  uniform: (rows, cols, rng: Rng) => {
    const out = make(rows, cols);
    const o = out.data;
    for (let i = 0; i < o.length; i++) o[i] = rng.float();
    return out;
  },
  sgdStep: jsSgdStep,
  rmspropStep: jsRmspropStep,
  adamStep: jsAdamStep,
};

// The SIMD kernels. Operands already in the kernels' memory (parameters, slots) are used in
// place; others are copied into one scratch block per call, after the output's place in it.

/** Products smaller than this many multiply-adds stay in JS (copies would cost as much). */
const WASM_MIN_MACS = 512;

const padded = (n: number): number => (n + 3) & ~3;

/** The byte offset of `m`'s values in the kernels' memory, copying it to `at` if needed. */
function placed(m: F, at: number): number {
  if (m.offset >= 0) return m.offset;
  heap.f32.set(m.data, at >> 2);
  return at;
}

/** Scratch floats that `m` needs (none when it lives in the kernels' memory). */
const scratchFor = (m: F): number => (m.offset >= 0 ? 0 : padded(m.rows * m.cols));

/** A parameter in the kernels' memory holding `data` (zeros when null), else a plain one. */
function residentParameter(data: Float32Array | null, rows: number, cols: number): F {
  const n = rows * cols;
  if (n > 0) {
    // `data` may itself view the kernels' memory, which the allocation may grow (detach).
    const values = data && data.buffer === heap.memory.buffer ? data.slice() : data;
    const at = heap.alloc(n * 4);
    if (at >= 0) {
      const f32 = heap.f32;
      const i = at >> 2;
      if (values && values.length >= n) f32.set(values.subarray(0, n), i);
      else {
        f32.fill(0, i, i + n);
        if (values) f32.set(values, i);
      }
      const m = new FusedMatrix(rows, cols, new Float32Array(heap.memory.buffer, at, n), at);
      residents.register(m, at, m);
      return m;
    }
  }
  return new FusedMatrix(rows, cols, data ? Float32Array.from(data) : new Float32Array(n));
}

/** o = x·w with x read by rows (columns: the product xᵀ·w), [rows, cols]. */
function wasmProduct(x: F, w: F, rows: number, inner: number, cols: number, columns: boolean): F | null {
  const n = rows * cols;
  const at = heap.scratch(4 * (padded(n) + scratchFor(x) + scratchFor(w)));
  if (at < 0) return null;
  const xo = placed(x, at + 4 * padded(n));
  const wo = placed(w, at + 4 * (padded(n) + scratchFor(x)));
  if (columns) kernels!.product(xo, wo, at, rows, inner, cols, 4, 4 * rows);
  else kernels!.product(xo, wo, at, rows, inner, cols, 4 * inner, 4);
  return new FusedMatrix(rows, cols, copyArray(heap.f32.subarray(at >> 2, (at >> 2) + n)));
}

function wasmMatMul(a: F, b: F): F {
  if (a.rows * a.cols * b.cols < WASM_MIN_MACS) return jsMatMul(a, b);
  return wasmProduct(a, b, a.rows, a.cols, b.cols, false) ?? jsMatMul(a, b);
}

function wasmMatMulAT(a: F, b: F): F {
  if (a.rows * a.cols * b.cols < WASM_MIN_MACS) return jsMatMulAT(a, b);
  return wasmProduct(a, b, a.cols, a.rows, b.cols, true) ?? jsMatMulAT(a, b);
}

function wasmMatMulBT(a: F, b: F): F {
  const n = a.rows * b.rows;
  if (n * a.cols < WASM_MIN_MACS) return jsMatMulBT(a, b);
  const at = heap.scratch(4 * (padded(n) + scratchFor(a) + scratchFor(b)));
  if (at < 0) return jsMatMulBT(a, b);
  const ao = placed(a, at + 4 * padded(n));
  const bo = placed(b, at + 4 * (padded(n) + scratchFor(a)));
  kernels!.product_bt(ao, bo, at, a.rows, a.cols, b.rows);
  return new FusedMatrix(a.rows, b.rows, copyArray(heap.f32.subarray(at >> 2, (at >> 2) + n)));
}

/** The byte offset of gradient `g` in the kernels' memory (copied to scratch if needed), or −1. */
function gradientAt(g: F): number {
  if (g.offset >= 0) return g.offset;
  const at = heap.scratch(4 * g.rows * g.cols);
  return at < 0 ? -1 : placed(g, at);
}

function wasmSgdStep(p: F, g: F, velocity: F | null, learningRate: number, momentum: number): void {
  const go = p.offset >= 0 && (!velocity || velocity.offset >= 0) ? gradientAt(g) : -1;
  if (go < 0) {
    jsSgdStep(p, g, velocity, learningRate, momentum);
    return;
  }
  if (velocity) kernels!.sgd_momentum(p.offset, go, velocity.offset, p.rows * p.cols, learningRate, momentum);
  else kernels!.sgd(p.offset, go, p.rows * p.cols, learningRate);
}

function wasmRmspropStep(p: F, g: F, s: F, learningRate: number, rho: number, epsilon: number): void {
  const go = p.offset >= 0 && s.offset >= 0 ? gradientAt(g) : -1;
  if (go < 0) {
    jsRmspropStep(p, g, s, learningRate, rho, epsilon);
    return;
  }
  kernels!.rmsprop(p.offset, go, s.offset, p.rows * p.cols, learningRate, rho, 1 - rho, epsilon);
}

function wasmAdamStep(p: F, g: F, m: F, v: F, stepSize: number, beta1: number, beta2: number, epsilon: number): void {
  const go = p.offset >= 0 && m.offset >= 0 && v.offset >= 0 ? gradientAt(g) : -1;
  if (go < 0) {
    jsAdamStep(p, g, m, v, stepSize, beta1, beta2, epsilon);
    return;
  }
  kernels!.adam(
    p.offset,
    go,
    m.offset,
    v.offset,
    p.rows * p.cols,
    stepSize,
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    epsilon,
  );
}

/** Matrices smaller than this stay with Math.tanh. */
const WASM_MIN_TANH = 16;

function wasmTanh(a: F): F {
  const n = a.rows * a.cols;
  if (n < WASM_MIN_TANH) return tanh(a);
  const at = heap.scratch(4 * n);
  if (at < 0) return tanh(a);
  kernels!.tanh(placed(a, at), at, n);
  return new FusedMatrix(a.rows, a.cols, copyArray(heap.f32.subarray(at >> 2, (at >> 2) + n)));
}

function evict(m: F): void {
  if (m.offset >= 0) m.evict();
}

/** The fused engine with the SIMD kernels, and parameters in their memory. */
const wasmFusedEngine: Engine<F> | null = kernels
  ? {
      ...jsFusedEngine,
      free: (ms) => {
        if (!ms) return;
        if (ms instanceof FusedMatrix) evict(ms);
        else for (const m of ms as readonly F[]) evict(m);
      },
      parameter: (data, rows, cols) => residentParameter(data, rows, cols),
      zerosParameter: (rows, cols) => residentParameter(null, rows, cols),
      matMul: wasmMatMul,
      matMulAT: wasmMatMulAT,
      matMulBT: wasmMatMulBT,
      activate: (pre, activation) => (activation === 'tanh' ? wasmTanh(pre) : jsFusedEngine.activate(pre, activation)),
      dense: denseWith(wasmMatMul, (pre, activation) =>
        activation === 'tanh' ? wasmTanh(pre) : jsFusedEngine.activate(pre, activation),
      ),
      sgdStep: wasmSgdStep,
      rmspropStep: wasmRmspropStep,
      adamStep: wasmAdamStep,
    }
  : null;

/** The fused engine: SIMD kernels when WebAssembly SIMD is available, else plain JS. */
export const fusedEngine: Engine<F> = wasmFusedEngine ?? jsFusedEngine;
/** The SIMD variant, for comparisons; null when it is off (see wasm-kernels.ts). */
export const simdFusedEngine: Engine<F> | null = wasmFusedEngine;

// The gated cell's elementwise work (gated-layer.ts), one pass each for its forward and its
// backward instead of about fifteen engine ops apiece: at a window's 16 rows and 128 units each
// op spent more on allocating its result than on its arithmetic. The products stay engine
// products. The sums are taken in float64 and rounded once, so values differ from the op-by-op
// path by float32 rounding only; with the SIMD kernels on, the gates' logistic is computed as
// ½ + ½·tanh(x/2) on the tanh kernel (within 2e-7 of Math.exp's, absolute) rather than by
// Math.exp, which cost more than the rest of the pass.

/** A gated cell's values: update gate z, reset gate r, candidate n, code h (all [rows, cols]). */
export interface GatedCellValues<M> {
  readonly z: M;
  readonly r: M;
  readonly n: M;
  readonly h: M;
}

/** Pre-activation deltas of a gated cell: candidate, candidate ⊙ r, update gate, reset gate; bias sums. */
export interface GatedCellDeltas<M> {
  readonly dan: M;
  readonly danr: M;
  readonly daz: M;
  readonly dar: M;
  /** Column sums of dan, daz, dar, [1, cols] each. */
  readonly sums: readonly [M, M, M];
}

export interface GatedCellKernels<M> {
  /**
   * z = σ(Σ az + bz), r = σ(Σ ar + br), n = tanh(xw + r ⊙ uh + b), h = (1 − z) ⊙ n + z ⊙ context,
   * where az, ar are the two products of each gate (from below, from the context).
   */
  forward(az: readonly [M, M], bz: M, ar: readonly [M, M], br: M, xw: M, uh: M, b: M, context: M): GatedCellValues<M>;
  /**
   * Given dh: dan = dh ⊙ (1 − z) ⊙ (1 − n²), daz = dh ⊙ (context − n) ⊙ z(1 − z),
   * dar = dan ⊙ uh ⊙ r(1 − r), danr = dan ⊙ r.
   */
  backward(dh: M, cell: GatedCellValues<M>, uh: M, context: M): GatedCellDeltas<M>;
}

function gatedForward(
  simd: boolean,
  az: readonly [F, F],
  bz: F,
  ar: readonly [F, F],
  br: F,
  xw: F,
  uh: F,
  b: F,
  context: F,
): GatedCellValues<F> {
  const rows = xw.rows;
  const cols = xw.cols;
  const n = rows * cols;
  const z = make(rows, cols);
  const r = make(rows, cols);
  const cand = make(rows, cols);
  const h = make(rows, cols);
  const [zv, rv, nv, hv] = [z.data, r.data, cand.data, h.data];
  // Three blocks of n: the gates' halved pre-activations, then the candidate's. The block is
  // taken before any parameter is read, since growing the kernels' memory detaches their views.
  const at = simd && n >= WASM_MIN_TANH ? heap.scratch(12 * n) : -1;
  const [pz, qz, cz, pr, qr, cr] = [az[0].data, az[1].data, bz.data, ar[0].data, ar[1].data, br.data];
  const [x, u, bias, ctx] = [xw.data, uh.data, b.data, context.data];
  if (at >= 0) {
    const f32 = heap.f32;
    const i0 = at >> 2;
    for (let i = 0, k = 0; i < rows; i++) {
      for (let c = 0; c < cols; c++, k++) {
        f32[i0 + k] = 0.5 * (pz[k]! + qz[k]! + cz[c]!);
        f32[i0 + n + k] = 0.5 * (pr[k]! + qr[k]! + cr[c]!);
      }
    }
    kernels!.tanh(at, at, 2 * n);
    for (let i = 0, k = 0; i < rows; i++) {
      for (let c = 0; c < cols; c++, k++) {
        zv[k] = 0.5 + 0.5 * f32[i0 + k]!;
        rv[k] = 0.5 + 0.5 * f32[i0 + n + k]!;
        f32[i0 + 2 * n + k] = x[k]! + rv[k]! * u[k]! + bias[c]!;
      }
    }
    kernels!.tanh(at + 8 * n, at + 8 * n, n);
    nv.set(f32.subarray(i0 + 2 * n, i0 + 3 * n));
  } else {
    for (let i = 0, k = 0; i < rows; i++) {
      for (let c = 0; c < cols; c++, k++) {
        zv[k] = 1 / (1 + Math.exp(-(pz[k]! + qz[k]! + cz[c]!)));
        rv[k] = 1 / (1 + Math.exp(-(pr[k]! + qr[k]! + cr[c]!)));
        nv[k] = Math.tanh(x[k]! + rv[k]! * u[k]! + bias[c]!);
      }
    }
  }
  for (let k = 0; k < n; k++) hv[k] = (1 - zv[k]!) * nv[k]! + zv[k]! * ctx[k]!;
  return { z, r, n: cand, h };
}

function gatedBackward(dh: F, cell: GatedCellValues<F>, uh: F, context: F): GatedCellDeltas<F> {
  const rows = dh.rows;
  const cols = dh.cols;
  const dan = make(rows, cols);
  const danr = make(rows, cols);
  const daz = make(rows, cols);
  const dar = make(rows, cols);
  const sums = [make(1, cols), make(1, cols), make(1, cols)] as const;
  const [g, z, r, n, u, ctx] = [dh.data, cell.z.data, cell.r.data, cell.n.data, uh.data, context.data];
  const [a, ar, az, rr] = [dan.data, danr.data, daz.data, dar.data];
  const [sa, sz, sr] = [sums[0].data, sums[1].data, sums[2].data];
  const acc = [new Float64Array(cols), new Float64Array(cols), new Float64Array(cols)] as const;
  for (let i = 0, k = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++, k++) {
      const zk = z[k]!;
      const rk = r[k]!;
      const nk = n[k]!;
      const dn = g[k]! * (1 - zk) * (1 - nk * nk);
      const dz = g[k]! * (ctx[k]! - nk) * zk * (1 - zk);
      const dr = dn * u[k]! * rk * (1 - rk);
      a[k] = dn;
      ar[k] = dn * rk;
      az[k] = dz;
      rr[k] = dr;
      acc[0][c] += dn;
      acc[1][c] += dz;
      acc[2][c] += dr;
    }
  }
  sa.set(acc[0]);
  sz.set(acc[1]);
  sr.set(acc[2]);
  return { dan, danr, daz, dar, sums };
}

const jsGatedKernels: GatedCellKernels<F> = {
  forward: (az, bz, ar, br, xw, uh, b, context) => gatedForward(false, az, bz, ar, br, xw, uh, b, context),
  backward: gatedBackward,
};
const simdGatedKernels: GatedCellKernels<F> = {
  forward: (az, bz, ar, br, xw, uh, b, context) => gatedForward(true, az, bz, ar, br, xw, uh, b, context),
  backward: gatedBackward,
};

/** The gated cell's fused passes for a fused engine, or null for another engine (which uses its ops). */
export function gatedCellKernels<M>(e: Engine<M>): GatedCellKernels<M> | null {
  if (e === (jsFusedEngine as Engine<unknown>)) return jsGatedKernels as unknown as GatedCellKernels<M>;
  if (wasmFusedEngine && e === (wasmFusedEngine as Engine<unknown>))
    return simdGatedKernels as unknown as GatedCellKernels<M>;
  return null;
}
