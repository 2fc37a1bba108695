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

/**
 * Products smaller than this many multiply-adds stay in JS (copies would cost as much). With the
 * parameters resident in the kernels' memory only the small operand is copied, so a readout of 64
 * codes to 7 symbols (448) is faster in wasm: the default agent at 64 units gained 6% when this
 * went from 512 to 128 (docs/experiments.md, row H9).
 */
const WASM_MIN_MACS = 128;

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

/**
 * aᵀ·b written into `into` ([a.cols, b.cols]), which is returned: in place when `into` lives in
 * the kernels' memory (no result made, none copied out), else a copy of wasmMatMulAT's result.
 */
function wasmMatMulATInto(a: F, b: F, into: F): F {
  const macs = a.rows * a.cols * b.cols;
  const at = into.offset >= 0 && macs >= WASM_MIN_MACS ? heap.scratch(4 * (scratchFor(a) + scratchFor(b))) : -1;
  if (at < 0) {
    into.data.set(wasmMatMulAT(a, b).data);
    return into;
  }
  const ao = placed(a, at);
  const bo = placed(b, at + 4 * scratchFor(a));
  kernels!.product(ao, bo, into.offset, a.cols, a.rows, b.cols, 4, 4 * a.cols);
  return into;
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

// For the engine's own fused kernels beside this file (gated-cell-kernels.ts, time-step-kernel.ts,
// decoder-gradient-kernel.ts), not for learners: results, the kernel memory, the products.
export {
  add,
  copied,
  heap,
  jsMatMul,
  jsMatMulAT,
  make,
  padded,
  scalar,
  WASM_MIN_MACS,
  WASM_MIN_TANH,
  wasmMatMulAT,
  wasmMatMulATInto,
};
