// The fused implementation of Engine: Float32Array kernels, each one loop with no dispatch
// cost, for online learning at batch 1 where tfjs spends 10 to 30 µs per op on wasm whatever
// its size. Results made inside a scope are recycled when it ends (see `scope`), so a steady
// step makes no arrays; results made outside any scope are left to the garbage collector.
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
import { countedKernels, uncountedEngine } from './engine-counter.js';

const heap = kernelHeap as KernelHeap;

/** Where a matrix stands with the scopes (see `scope` below). */
const UNTRACKED = 0;
const TRACKED = 1;
const KEPT = 2;
const POOLED = 3;

export class FusedMatrix {
  /** UNTRACKED, TRACKED (made in an open scope), KEPT or POOLED (recycled: owned by no one). */
  life = UNTRACKED;
  /** The last scope end whose result held this matrix. */
  seen = 0;
  /** A result (from `make`), which may be recycled; parameters are not. */
  pooled = false;
  /**
   * Byte offset of the values in the kernels' memory (a parameter or optimiser slot made while
   * the SIMD kernels are on), or −1 for a plain array.
   */
  offset: number;
  private view: Float32Array;
  private generation: number;

  constructor(
    /** [rows, cols]; read-only outside this file (a recycled matrix is re-shaped here). */
    public rows: number,
    public cols: number,
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

/** A [rows, cols] result holding a copy of `data`. */
function copied(rows: number, cols: number, data: ArrayLike<number>): F {
  const out = make(rows, cols);
  out.data.set(data);
  return out;
}

/** A [1, 1] result holding `v`. */
function scalar(v: number): F {
  const out = make(1, 1);
  out.data[0] = v;
  return out;
}

// Scopes recycle. Inside an open scope every result is recorded; when the scope ends, what it
// made and neither returned nor kept goes to a pool by size, and the next result of that size
// is that matrix again, zeroed: in steady state a step makes no arrays at all. So a matrix made
// in a scope must not be read after it unless returned or kept, as with tfjs's tidy (where it
// would be disposed). Made outside any scope, a result is left to the garbage collector.
// TPROP_FUSED_POISON=1 (a debug option) fills each recycled matrix with NaN and never reuses
// it, so a read after the scope shows.

/** The matrices made in each open scope, innermost last. */
const scopes: F[][] = [];
let scopeEnds = 0;
/** Recycled matrices by entry count. */
const pools = new Map<number, F[]>();
/**
 * Bytes the pools hold, and the most they may: past it a dropped result is left to the garbage
 * collector, so a process that makes many learners of many sizes does not keep them all.
 */
let pooledBytes = 0;
let poolLimit = 64 * 1024 * 1024;

/** Sets the pools' limit in bytes (default 64 MB), dropping what is pooled past it; returns the old one. */
export function setResultPoolLimit(bytes: number): number {
  const old = poolLimit;
  poolLimit = bytes;
  for (const [n, pool] of pools) {
    while (pooledBytes > poolLimit && pool.length > 0) {
      pool.pop();
      pooledBytes -= 4 * n;
    }
  }
  return old;
}

/** Bytes the result pools hold now. */
export function resultPoolBytes(): number {
  return pooledBytes;
}
/** Arrays made so far for results (pool misses and results made outside scopes). */
let arraysMade = 0;
const poison = typeof process !== 'undefined' && process.env?.TPROP_FUSED_POISON === '1';

/** A [rows, cols] result of zeros: recycled inside a scope when the pool has one, else fresh. */
function make(rows: number, cols: number): F {
  const n = rows * cols;
  const open = scopes.length;
  if (open === 0) {
    arraysMade++;
    const fresh = new FusedMatrix(rows, cols, zerosArray(n));
    fresh.pooled = true;
    return fresh;
  }
  const m = pools.get(n)?.pop();
  let out: F;
  if (m) {
    pooledBytes -= 4 * n;
    m.rows = rows;
    m.cols = cols;
    m.data.fill(0);
    out = m;
  } else {
    arraysMade++;
    out = new FusedMatrix(rows, cols, zerosArray(n));
    out.pooled = true;
  }
  out.life = TRACKED;
  scopes[open - 1]!.push(out);
  return out;
}

function recycle(m: F): void {
  m.life = POOLED;
  if (poison) {
    m.data.fill(Number.NaN);
    return;
  }
  const n = m.rows * m.cols;
  if (pooledBytes + 4 * n > poolLimit) return;
  pooledBytes += 4 * n;
  const pool = pools.get(n);
  if (pool) pool.push(m);
  else pools.set(n, [m]);
}

/** Marks every matrix in `value` (a matrix, or arrays and plain objects holding them) as `seen`. */
function markResult(value: unknown, seen: number): void {
  if (value instanceof FusedMatrix) value.seen = seen;
  else if (Array.isArray(value)) for (const v of value) markResult(v, seen);
  else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) markResult(v, seen);
}

function scope<T>(fn: () => T): T {
  const made: F[] = [];
  scopes.push(made);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    // Nothing is recycled after a throw: what the scope made is left to the garbage collector.
    scopes.pop();
    for (const m of made) if (m.life === TRACKED) m.life = UNTRACKED;
    throw error;
  }
  scopes.pop();
  const seen = ++scopeEnds;
  markResult(result, seen);
  const parent = scopes[scopes.length - 1];
  for (const m of made) {
    if (m.life !== TRACKED) continue;
    if (m.seen !== seen) recycle(m);
    else if (parent) parent.push(m);
    else m.life = UNTRACKED;
  }
  return result;
}

/**
 * Frees a result: one kept, or made outside any scope, is recycled (a parameter, or one still
 * in an open scope, is left alone). Freeing twice is a no-op, as with tfjs, if nothing was made
 * in between; in poison mode a second free throws, so that a free after reuse shows.
 */
function release(m: F): void {
  if (m.life === KEPT || (m.life === UNTRACKED && m.pooled)) recycle(m);
  else if (poison && m.life === POOLED) throw new Error('fused: a matrix freed twice');
}

function free(ms: F | readonly F[] | null | undefined): void {
  if (!ms) return;
  if (ms instanceof FusedMatrix) release(ms);
  else for (const m of ms as readonly F[]) release(m);
}

function keep<T extends F>(m: T): T {
  if (m.life === TRACKED) m.life = KEPT;
  return m;
}

/** A fresh array of the engine's own (a parameter's: never recycled). */
const own = (rows: number, cols: number): F => new FusedMatrix(rows, cols, new Float32Array(rows * cols));

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
  scope,
  keep,
  free,
  live: () => 0,
  allocated: () => arraysMade,
  rows: (m) => m.rows,
  cols: (m) => m.cols,
  matrix: (data, rows, cols) => copied(rows, cols, data),
  zeros: (rows, cols) => make(rows, cols),
  read: (m) => m.data.slice(),
  parameter: (data, rows, cols) => new FusedMatrix(rows, cols, Float32Array.from(data)),
  zerosParameter: own,
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
    return scalar(s);
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
    return Array.from({ length: parts }, (_, i) =>
      copied(rows, m.cols, x.subarray(i * rows * m.cols, (i + 1) * rows * m.cols)),
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
    return scalar(s);
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
  return copied(rows, cols, heap.f32.subarray(at >> 2, (at >> 2) + n));
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
  return copied(a.rows, b.rows, heap.f32.subarray(at >> 2, (at >> 2) + n));
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
  return copied(a.rows, a.cols, heap.f32.subarray(at >> 2, (at >> 2) + n));
}

/**
 * activate(x·w + b) with the product, the bias and a tanh all in the kernels' memory and one copy
 * out (the same float32 values as the product, the JS bias loop and the tanh kernel in turn).
 * Other activations, and small products, take denseWith's path.
 */
const wasmDenseSteps = denseWith(wasmMatMul, (pre, activation) =>
  activation === 'tanh' ? wasmTanh(pre) : jsFusedEngine.activate(pre, activation),
);

function wasmDense(x: F, w: F, b: F, activation: Activation): F {
  const rows = x.rows;
  const cols = w.cols;
  if ((activation !== 'tanh' && activation !== 'linear') || rows * x.cols * cols < WASM_MIN_MACS)
    return wasmDenseSteps(x, w, b, activation);
  if (b.rows !== 1 || b.cols !== cols)
    throw new RangeError(`fused: expected a [1, ${cols}] bias, but got [${b.rows}, ${b.cols}]`);
  const n = rows * cols;
  const at = heap.scratch(4 * (padded(n) + scratchFor(x) + scratchFor(w) + scratchFor(b)));
  if (at < 0) return wasmDenseSteps(x, w, b, activation);
  const xo = placed(x, at + 4 * padded(n));
  const wo = placed(w, at + 4 * (padded(n) + scratchFor(x)));
  const bo = placed(b, at + 4 * (padded(n) + scratchFor(x) + scratchFor(w)));
  const k = kernels!;
  k.product(xo, wo, at, rows, x.cols, cols, 4 * x.cols, 4);
  k.bias_rows(at, bo, rows, cols);
  if (activation === 'tanh' && n >= WASM_MIN_TANH) k.tanh(at, at, n);
  const out = copied(rows, cols, heap.f32.subarray(at >> 2, (at >> 2) + n));
  return activation === 'tanh' && n < WASM_MIN_TANH ? tanh(out) : out;
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
        free(ms);
      },
      parameter: (data, rows, cols) => residentParameter(data, rows, cols),
      zerosParameter: (rows, cols) => residentParameter(null, rows, cols),
      matMul: wasmMatMul,
      matMulAT: wasmMatMulAT,
      matMulBT: wasmMatMulBT,
      activate: (pre, activation) => (activation === 'tanh' ? wasmTanh(pre) : jsFusedEngine.activate(pre, activation)),
      dense: wasmDense,
      sgdStep: wasmSgdStep,
      rmspropStep: wasmRmspropStep,
      adamStep: wasmAdamStep,
    }
  : null;

/** The fused engine: SIMD kernels when WebAssembly SIMD is available, else plain JS. */
export const fusedEngine: Engine<F> = wasmFusedEngine ?? jsFusedEngine;
/** The SIMD variant, for comparisons; null when it is off (see wasm-kernels.ts). */
export const simdFusedEngine: Engine<F> | null = wasmFusedEngine;

// The gated cell (gated-layer.ts) in one call for its forward and one for its gradients,
// instead of six products and about fifteen engine ops apiece: at a window's rows and 64 units
// each op spent more on making its result than on its arithmetic. With the SIMD kernels and
// the weights in their memory, the inputs are copied in once, the six products of each pass run
// there and the elementwise work reads them in place; the gates' logistic is ½ + ½·tanh(x/2) on
// the tanh kernel (within 2e-7 of Math.exp's, absolute). Otherwise engine products and Math.exp.
// Sums are taken in float64 and rounded once, so values differ from the op-by-op path by
// float32 rounding only.

/** A gated cell's parameters: candidate W (from below), U (from the context), b; then each gate's. */
export interface GatedCellWeights<M> {
  readonly w: M;
  readonly u: M;
  readonly b: M;
  readonly wz: M;
  readonly uz: M;
  readonly bz: M;
  readonly wr: M;
  readonly ur: M;
  readonly br: M;
}

/** A gated cell's values: update gate z, reset gate r, uh = h'·U, candidate n, code h (all [rows, cols]). */
export interface GatedCellValues<M> {
  readonly z: M;
  readonly r: M;
  readonly uh: M;
  readonly n: M;
  readonly h: M;
}

export interface GatedCellKernels<M> {
  /**
   * z = σ(x·Wz + h'·Uz + bz), r = σ(x·Wr + h'·Ur + br), uh = h'·U, n = tanh(x·W + r ⊙ uh + b),
   * h = (1 − z) ⊙ n + z ⊙ h', for x the layer below and h' the context.
   */
  forward(x: M, context: M, p: GatedCellWeights<M>): GatedCellValues<M>;
  /** forward's h alone (the gates and the candidate stay inside). */
  code(x: M, context: M, p: GatedCellWeights<M>): M;
  /**
   * Given dh, the loss's gradient on h: the gradients of W, U, b, Wz, Uz, bz, Wr, Ur, br (in that
   * order), from dan = dh ⊙ (1 − z) ⊙ (1 − n²), daz = dh ⊙ (h' − n) ⊙ z(1 − z) and
   * dar = dan ⊙ uh ⊙ r(1 − r): ΔW = xᵀ·dan, ΔU = h'ᵀ·(dan ⊙ r), Δb = Σ dan, and so on.
   */
  gradients(x: M, context: M, cell: GatedCellValues<M>, dh: M, p: GatedCellWeights<M>): M[];
  /**
   * The gradients of ½·Σ_i w_i‖h_i − ĥ_i‖² · `scale` (w the row weights, [rows, 1], all 1 when
   * null), in the same order, and that loss, [1, 1].
   */
  targetGradients(
    x: M,
    context: M,
    cell: GatedCellValues<M>,
    target: M,
    rowWeights: M | null,
    scale: number,
    p: GatedCellWeights<M>,
  ): { readonly gradients: M[]; readonly loss: M };
  /**
   * forward, then targetGradients, in one call: the cell's values stay inside. With `into` (nine
   * matrices shaped as the parameters, in the gradients' order) the gradients are written into
   * them and they are returned; SIMD kernels then read them in place (no copy for the optimiser).
   */
  fit(
    x: M,
    context: M,
    target: M,
    rowWeights: M | null,
    scale: number,
    p: GatedCellWeights<M>,
    into: readonly M[] | null,
  ): { readonly gradients: M[]; readonly loss: M };
}

/** Whether every parameter lives in the kernels' memory (so the SIMD pass can read it in place). */
const resident = (p: GatedCellWeights<F>): boolean =>
  p.w.offset >= 0 && p.u.offset >= 0 && p.wz.offset >= 0 && p.uz.offset >= 0 && p.wr.offset >= 0 && p.ur.offset >= 0;

/** The elementwise forward from the six products (blocks of the scratch at byte `at`). */
function gatedElementwise(
  at: number,
  rows: number,
  cols: number,
  p: GatedCellWeights<F>,
  context: F,
): GatedCellValues<F> {
  const n = rows * cols;
  const stride = padded(n);
  const z = make(rows, cols);
  const r = make(rows, cols);
  const uh = make(rows, cols);
  const cand = make(rows, cols);
  const h = make(rows, cols);
  const [zv, rv, uv, nv, hv] = [z.data, r.data, uh.data, cand.data, h.data];
  const [cz, cr, bias, ctx] = [p.bz.data, p.br.data, p.b.data, context.data];
  const f32 = heap.f32;
  // Blocks of padded(n) floats from `at`: x·Wz, h'·Uz, x·Wr, h'·Ur, x·W, h'·U, then two for the
  // gates' halved pre-activations (one run of 2n) and one for the candidate's.
  const i0 = at >> 2;
  const [pz, qz, pr, qr, xw, hu, g, c] = [0, 1, 2, 3, 4, 5, 6, 8].map((b) => i0 + b * stride) as number[];
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, k++) {
      f32[g! + k] = 0.5 * (f32[pz! + k]! + f32[qz! + k]! + cz[j]!);
      f32[g! + n + k] = 0.5 * (f32[pr! + k]! + f32[qr! + k]! + cr[j]!);
    }
  }
  kernels!.tanh(4 * g!, 4 * g!, 2 * n);
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, k++) {
      const zk = 0.5 + 0.5 * f32[g! + k]!;
      const rk = 0.5 + 0.5 * f32[g! + n + k]!;
      const u = f32[hu! + k]!;
      zv[k] = zk;
      rv[k] = rk;
      uv[k] = u;
      f32[c! + k] = f32[xw! + k]! + rk * u + bias[j]!;
    }
  }
  kernels!.tanh(4 * c!, 4 * c!, n);
  for (let k = 0; k < n; k++) {
    const nk = f32[c! + k]!;
    nv[k] = nk;
    hv[k] = (1 - zv[k]!) * nk + zv[k]! * ctx[k]!;
  }
  return { z, r, uh, n: cand, h };
}

/**
 * The cell's six products into blocks 0 to 5 from byte `at` (`b` bytes apart): x·Wz, h'·Uz,
 * x·Wr, h'·Ur, x·W, h'·U, for x at `xo` ([rows, inner]) and h' at `co` ([rows, cols]).
 */
function cellProducts(
  p: GatedCellWeights<F>,
  xo: number,
  co: number,
  at: number,
  b: number,
  rows: number,
  inner: number,
  cols: number,
): void {
  const k = kernels!;
  const [wx, wc] = [4 * inner, 4 * cols];
  k.product(xo, p.wz.offset, at, rows, inner, cols, wx, 4);
  k.product(co, p.uz.offset, at + b, rows, cols, cols, wc, 4);
  k.product(xo, p.wr.offset, at + 2 * b, rows, inner, cols, wx, 4);
  k.product(co, p.ur.offset, at + 3 * b, rows, cols, cols, wc, 4);
  k.product(xo, p.w.offset, at + 4 * b, rows, inner, cols, wx, 4);
  k.product(co, p.u.offset, at + 5 * b, rows, cols, cols, wc, 4);
}

/**
 * The six weight gradients xᵀ·dan, h'ᵀ·danr, xᵀ·daz, h'ᵀ·daz, xᵀ·dar, h'ᵀ·dar into `outs` (byte
 * offsets), from the four delta blocks: Aᵀ·D with A read by columns (the product's rows are A's
 * columns, its inner size the batch).
 */
function gradientProducts(
  xo: number,
  co: number,
  deltas: readonly [number, number, number, number],
  outs: readonly number[],
  rows: number,
  inner: number,
  cols: number,
): void {
  const k = kernels!;
  const [dan, danr, daz, dar] = deltas;
  k.product(xo, dan, outs[0]!, inner, rows, cols, 4, 4 * inner);
  k.product(co, danr, outs[1]!, cols, rows, cols, 4, 4 * cols);
  k.product(xo, daz, outs[2]!, inner, rows, cols, 4, 4 * inner);
  k.product(co, daz, outs[3]!, cols, rows, cols, 4, 4 * cols);
  k.product(xo, dar, outs[4]!, inner, rows, cols, 4, 4 * inner);
  k.product(co, dar, outs[5]!, cols, rows, cols, 4, 4 * cols);
}

function simdGatedForward(x: F, context: F, p: GatedCellWeights<F>): GatedCellValues<F> {
  return simdGatedPass(x, context, p, false) as GatedCellValues<F>;
}

/** The SIMD forward: every value of the cell, or with `codeOnly` its code h alone. */
function simdGatedPass(x: F, context: F, p: GatedCellWeights<F>, codeOnly: boolean): GatedCellValues<F> | F {
  const rows = x.rows;
  const inner = x.cols;
  const cols = p.b.cols;
  const n = rows * cols;
  const nx = padded(rows * inner);
  const nc = padded(rows * cols);
  // Nine blocks of n (products, then staging), then the inputs; taken before any view is read.
  const at = resident(p) ? heap.scratch(4 * (9 * padded(n) + nx + nc)) : -1;
  if (at < 0) return codeOnly ? jsGatedForward(x, context, p).h : jsGatedForward(x, context, p);
  const b = 4 * padded(n);
  const xo = at + 9 * b;
  const co = xo + 4 * nx;
  heap.f32.set(x.data, xo >> 2);
  heap.f32.set(context.data, co >> 2);
  const k = kernels!;
  cellProducts(p, xo, co, at, b, rows, inner, cols);
  if (cols % 4 !== 0 || p.bz.offset < 0 || p.br.offset < 0 || p.b.offset < 0) {
    const cell = gatedElementwise(at, rows, cols, p, context);
    return codeOnly ? cell.h : cell;
  }
  k.gated_forward(at, b, p.bz.offset, p.br.offset, p.b.offset, co, rows, cols);
  const f32 = heap.f32;
  const block = (i: number): F => copied(rows, cols, f32.subarray((at + i * b) >> 2, ((at + i * b) >> 2) + n));
  if (codeOnly) return block(1);
  return { z: block(0), r: block(2), uh: block(5), n: block(8), h: block(1) };
}

function jsGatedForward(x: F, context: F, p: GatedCellWeights<F>): GatedCellValues<F> {
  const [az, qz, ar, qr] = [jsMatMul(x, p.wz), jsMatMul(context, p.uz), jsMatMul(x, p.wr), jsMatMul(context, p.ur)];
  const xw = jsMatMul(x, p.w);
  const uh = jsMatMul(context, p.u);
  const rows = x.rows;
  const cols = p.b.cols;
  const z = make(rows, cols);
  const r = make(rows, cols);
  const cand = make(rows, cols);
  const h = make(rows, cols);
  const [zv, rv, nv, hv] = [z.data, r.data, cand.data, h.data];
  const [a1, a2, r1, r2, xv, u] = [az.data, qz.data, ar.data, qr.data, xw.data, uh.data];
  const [cz, cr, bias, ctx] = [p.bz.data, p.br.data, p.b.data, context.data];
  for (let i = 0, k = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++, k++) {
      zv[k] = 1 / (1 + Math.exp(-(a1[k]! + a2[k]! + cz[c]!)));
      rv[k] = 1 / (1 + Math.exp(-(r1[k]! + r2[k]! + cr[c]!)));
      nv[k] = Math.tanh(xv[k]! + rv[k]! * u[k]! + bias[c]!);
      hv[k] = (1 - zv[k]!) * nv[k]! + zv[k]! * ctx[k]!;
    }
  }
  return { z, r, uh, n: cand, h };
}

/** The backward pass's float64 column sums, reused. */
let sumScratch = new Float64Array(0);

/**
 * What the gradients are taken of: dh given, or the loss ½·Σ w_i‖h_i − ĥ_i‖² · `scale` toward a
 * target ĥ (w the row weights, 1 when null), whose dh is (h − ĥ) ⊙ w · `scale`.
 */
type CellLoss = { readonly dh: F } | { readonly target: F; readonly rowWeights: F | null; readonly scale: number };

/** The last `gatedDeltas` loss (0 for a given dh). */
let lastLoss = 0;

/**
 * The deltas dan, danr = dan ⊙ r, daz, dar into four blocks of `out` from index `at`, `n` floats
 * apart, and the bias gradients (column sums of dan, daz, dar); the loss into `lastLoss`.
 */
function gatedDeltas(
  loss: CellLoss,
  cell: GatedCellValues<F>,
  context: F,
  out: Float32Array,
  at: number,
  n: number,
): [F, F, F] {
  const rows = cell.h.rows;
  const cols = cell.h.cols;
  const [z, r, nn, u, ctx, h] = [cell.z.data, cell.r.data, cell.n.data, cell.uh.data, context.data, cell.h.data];
  const given = 'dh' in loss ? loss.dh.data : null;
  const target = 'target' in loss ? loss.target.data : null;
  const weights = 'target' in loss && loss.rowWeights ? loss.rowWeights.data : null;
  const scale = 'scale' in loss ? loss.scale : 1;
  if (sumScratch.length < 3 * cols) sumScratch = new Float64Array(3 * cols);
  const acc = sumScratch;
  acc.fill(0, 0, 3 * cols);
  let squares = 0;
  for (let i = 0, k = 0; i < rows; i++) {
    const wi = weights ? weights[i]! : 1;
    for (let c = 0; c < cols; c++, k++) {
      let g: number;
      if (given) g = given[k]!;
      else {
        const error = h[k]! - target![k]!;
        squares += error * error * wi;
        g = Math.fround(error * wi) * scale;
      }
      const zk = z[k]!;
      const rk = r[k]!;
      const nk = nn[k]!;
      const dn = g * (1 - zk) * (1 - nk * nk);
      const dz = g * (ctx[k]! - nk) * zk * (1 - zk);
      const dr = dn * u[k]! * rk * (1 - rk);
      out[at + k] = dn;
      out[at + n + k] = dn * rk;
      out[at + 2 * n + k] = dz;
      out[at + 3 * n + k] = dr;
      acc[c] += dn;
      acc[cols + c] += dz;
      acc[2 * cols + c] += dr;
    }
  }
  lastLoss = squares * 0.5 * scale;
  const sums = [make(1, cols), make(1, cols), make(1, cols)] as [F, F, F];
  const [sa, sz, sr] = [sums[0].data, sums[1].data, sums[2].data];
  for (let c = 0; c < cols; c++) {
    sa[c] = acc[c]!;
    sz[c] = acc[cols + c]!;
    sr[c] = acc[2 * cols + c]!;
  }
  return sums;
}

/**
 * The SIMD deltas (kernels.wat's gated_deltas) into four blocks from byte `at`, 4·n bytes apart,
 * the cell's values copied in from byte `vo`, the context already at `co`; the bias gradients.
 */
function simdDeltas(
  loss: CellLoss,
  cell: GatedCellValues<F>,
  vo: number,
  at: number,
  co: number,
  n: number,
): [F, F, F] {
  const f32 = heap.f32;
  const { rows, cols } = cell.h;
  const [zo, ro, no, uo, ho, to, wo] = [0, 1, 2, 3, 4, 5, 6].map((i) => vo + 4 * i * n) as number[];
  const so = wo! + 4 * padded(rows);
  f32.set(cell.z.data, zo! >> 2);
  f32.set(cell.r.data, ro! >> 2);
  f32.set(cell.n.data, no! >> 2);
  f32.set(cell.uh.data, uo! >> 2);
  f32.set(cell.h.data, ho! >> 2);
  const given = 'dh' in loss ? loss.dh : null;
  const target = 'target' in loss ? loss : null;
  f32.set(given ? given.data : target!.target.data, to! >> 2);
  const weights = target?.rowWeights ?? null;
  if (weights) f32.set(weights.data, wo! >> 2);
  const dh = given ? to! : -1;
  const t = given ? -1 : to!;
  const w = weights ? wo! : -1;
  const scale = target ? target.scale : 1;
  lastLoss = kernels!.gated_deltas(zo!, ro!, no!, uo!, co, ho!, dh, t, w, scale, at, 4 * n, so, rows, cols);
  const sum = (i: number): F => copied(1, cols, f32.subarray((so >> 2) + i * cols, (so >> 2) + (i + 1) * cols));
  return [sum(0), sum(1), sum(2)];
}

function simdGatedGradients(x: F, context: F, cell: GatedCellValues<F>, loss: CellLoss, p: GatedCellWeights<F>): F[] {
  const rows = x.rows;
  const inner = x.cols;
  const cols = p.b.cols;
  const n = padded(rows * cols);
  const nx = padded(rows * inner);
  const gi = padded(inner * cols);
  const gc = padded(cols * cols);
  const whole = cols % 4 === 0;
  // Four delta blocks, the two inputs, then the six gradients (from below, from the context, by
  // turns); with whole vectors, then the cell's z, r, n, uh, h, the target (or dh), the row
  // weights and the three column sums, for the SIMD deltas.
  const extra = whole ? 6 * n + padded(rows) + 3 * cols : 0;
  const at = resident(p) ? heap.scratch(4 * (4 * n + nx + n + 3 * gi + 3 * gc + extra)) : -1;
  if (at < 0) return jsGatedGradients(x, context, cell, loss, p);
  const f32 = heap.f32;
  const [dan, danr, daz, dar] = [at, at + 4 * n, at + 8 * n, at + 12 * n];
  const xo = at + 16 * n;
  const co = xo + 4 * nx;
  f32.set(x.data, xo >> 2);
  f32.set(context.data, co >> 2);
  const go = co + 4 * n;
  const outs = [go, go + 4 * gi, go + 4 * (gi + gc), go + 4 * (2 * gi + gc), go + 4 * (2 * gi + 2 * gc)];
  outs.push(go + 4 * (3 * gi + 2 * gc));
  const sums = whole ? simdDeltas(loss, cell, go + 4 * (3 * gi + 3 * gc), at, co, n) : null;
  const bias = sums ?? gatedDeltas(loss, cell, context, f32, at >> 2, n);
  gradientProducts(xo, co, [dan, danr, daz, dar], outs, rows, inner, cols);
  const grad = (o: number, r: number): F => copied(r, cols, f32.subarray(o >> 2, (o >> 2) + r * cols));
  return [
    grad(outs[0]!, inner),
    grad(outs[1]!, cols),
    bias[0],
    grad(outs[2]!, inner),
    grad(outs[3]!, cols),
    bias[1],
    grad(outs[4]!, inner),
    grad(outs[5]!, cols),
    bias[2],
  ];
}

function jsGatedGradients(x: F, context: F, cell: GatedCellValues<F>, loss: CellLoss, _p: GatedCellWeights<F>): F[] {
  const rows = cell.h.rows;
  const cols = cell.h.cols;
  const n = rows * cols;
  if (deltaScratch.length < 4 * n) deltaScratch = new Float32Array(4 * n);
  const sums = gatedDeltas(loss, cell, context, deltaScratch, 0, n);
  const block = (b: number): F => copied(rows, cols, deltaScratch.subarray(b * n, (b + 1) * n));
  const [dan, danr, daz, dar] = [block(0), block(1), block(2), block(3)];
  return [
    jsMatMulAT(x, dan),
    jsMatMulAT(context, danr),
    sums[0],
    jsMatMulAT(x, daz),
    jsMatMulAT(context, daz),
    sums[1],
    jsMatMulAT(x, dar),
    jsMatMulAT(context, dar),
    sums[2],
  ];
}

/** The JS backward's deltas, reused. */
let deltaScratch = new Float32Array(0);

type Gradients = (x: F, context: F, cell: GatedCellValues<F>, loss: CellLoss, p: GatedCellWeights<F>) => F[];

type Fit = GatedCellKernels<F>['fit'];

function cellKernels(forward: GatedCellKernels<F>['forward'], gradients: Gradients, fit?: Fit): GatedCellKernels<F> {
  const targetGradients: GatedCellKernels<F>['targetGradients'] = (x, context, cell, target, rowWeights, scale, p) => {
    const out = gradients(x, context, cell, { target, rowWeights, scale }, p);
    return { gradients: out, loss: scalar(lastLoss) };
  };
  return {
    forward,
    code: (x, context, p) => forward(x, context, p).h,
    gradients: (x, context, cell, dh, p) => gradients(x, context, cell, { dh }, p),
    targetGradients,
    fit:
      fit ??
      ((x, context, target, rowWeights, scale, p, into) => {
        const result = targetGradients(x, context, forward(x, context, p), target, rowWeights, scale, p);
        if (!into) return result;
        result.gradients.forEach((g, k) => into[k]!.data.set(g.data));
        return { gradients: [...into], loss: result.loss };
      }),
  };
}

/**
 * The SIMD fit: with whole vectors, every parameter and every `into` in the kernels' memory, one
 * scratch block holds the inputs, the cell, the deltas and the column sums, and the six weight
 * gradients are written straight into `into`; otherwise the two passes in turn.
 */
const simdFit: Fit = (x, context, target, rowWeights, scale, p, into) => {
  const rows = x.rows;
  const inner = x.cols;
  const cols = p.b.cols;
  const ready =
    into !== null &&
    cols % 4 === 0 &&
    resident(p) &&
    p.bz.offset >= 0 &&
    p.br.offset >= 0 &&
    p.b.offset >= 0 &&
    into.every((m) => m.offset >= 0);
  const n = padded(rows * cols);
  const nx = padded(rows * inner);
  // Nine forward blocks, four delta blocks, then x, the context, the target, the row weights and
  // the three sums.
  const at = ready ? heap.scratch(4 * (13 * n + nx + 2 * n + padded(rows) + 3 * cols)) : -1;
  if (at < 0) return simdGatedKernels.fit(x, context, target, rowWeights, scale, p, into);
  const f32 = heap.f32;
  const b = 4 * n;
  const deltas = at + 9 * b;
  const xo = at + 13 * b;
  const co = xo + 4 * nx;
  const to = co + b;
  const wo = to + b;
  const so = wo + 4 * padded(rows);
  f32.set(x.data, xo >> 2);
  f32.set(context.data, co >> 2);
  f32.set(target.data, to >> 2);
  if (rowWeights) f32.set(rowWeights.data, wo >> 2);
  const k = kernels!;
  cellProducts(p, xo, co, at, b, rows, inner, cols);
  k.gated_forward(at, b, p.bz.offset, p.br.offset, p.b.offset, co, rows, cols);
  // z in block 0, h in 1, r in 2, uh in 5, n in 8.
  const w = rowWeights ? wo : -1;
  const loss = k.gated_deltas(
    at,
    at + 2 * b,
    at + 8 * b,
    at + 5 * b,
    co,
    at + b,
    -1,
    to,
    w,
    scale,
    deltas,
    b,
    so,
    rows,
    cols,
  );
  const g = into!;
  const blocks = [deltas, deltas + b, deltas + 2 * b, deltas + 3 * b] as const;
  gradientProducts(
    xo,
    co,
    blocks,
    [0, 1, 3, 4, 6, 7].map((i) => g[i]!.offset),
    rows,
    inner,
    cols,
  );
  const s0 = so >> 2;
  f32.copyWithin(g[2]!.offset >> 2, s0, s0 + cols);
  f32.copyWithin(g[5]!.offset >> 2, s0 + cols, s0 + 2 * cols);
  f32.copyWithin(g[8]!.offset >> 2, s0 + 2 * cols, s0 + 3 * cols);
  return { gradients: [...g], loss: scalar(loss) };
};

const jsGatedKernels = cellKernels(jsGatedForward, jsGatedGradients);
const simdGatedKernels = cellKernels(simdGatedForward, simdGatedGradients);
const simdFitKernels: GatedCellKernels<F> = {
  ...simdGatedKernels,
  code: (x, context, p) => simdGatedPass(x, context, p, true) as F,
  fit: simdFit,
};

/** Each pass's six products: 2·rows·(inner + cols)·cols operations per gate and candidate (fit: two passes). */
function gatedFlops(key: string, args: unknown[]): number {
  const [x, context] = args as [F, F];
  return (key === 'fit' ? 2 : 1) * 3 * 2 * x.rows * (x.cols + context.cols) * context.cols;
}

/** The gated cell's fused passes for a fused engine, or null for another engine (which uses its ops). */
export function gatedCellKernels<M>(e: Engine<M>): GatedCellKernels<M> | null {
  const base = uncountedEngine(e) as Engine<unknown>;
  const own =
    base === jsFusedEngine ? jsGatedKernels : wasmFusedEngine && base === wasmFusedEngine ? simdFitKernels : null;
  return own && (countedKernels(e as Engine, 'gatedCell', own, gatedFlops) as unknown as GatedCellKernels<M>);
}

// One step of the sweep back in time (through-time.ts) for a part whose anchor g(h) is known:
// the target ĥ = h + d and what it sends back, g(ĥ) − g(h) (g a decoder, dense), its rows
// scaled down to at most `clip` × ‖d‖ (clip > 0) and masked by `continues` (null: none), in one
// call where the engine ops took five; the same float32 values as those ops.

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

// A dense decoder's local gradients (denoising-layer.ts) in one call where the engine ops took
// about ten: for a reconstruction r = g(hidden) and its target t, with batch b,
//   error = r − t;  delta = error ⊙ slope / b (slope 1 − r² for tanh, else 1);
//   ∂W = hiddenᵀ·delta;  ∂b = Σ_rows delta;  loss = Σ error² / 2b,
// rounded to float32 where those ops round, so the values are theirs exactly.

export interface DecoderGradientKernel<M> {
  gradients(
    hidden: M,
    r: M,
    target: M,
    activation: Activation,
    batch: number,
  ): { readonly weights: M; readonly bias: M; readonly delta: M; readonly loss: M };
}

function decoderGradientsWith(matMulAT: (a: F, b: F) => F): DecoderGradientKernel<F> {
  return {
    gradients(hidden, r, target, activation, batch) {
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
      return { weights: matMulAT(hidden, delta), bias, delta, loss: scalar(Math.fround(squares) * (1 / (2 * batch))) };
    },
  };
}

const jsDecoderGradients = decoderGradientsWith(jsMatMulAT);
const simdDecoderGradients = wasmFusedEngine ? decoderGradientsWith(wasmMatMulAT) : null;

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
