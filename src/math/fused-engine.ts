// The fused implementation of Engine: plain Float32Array kernels, each one loop with no
// dispatch cost, for online learning at batch 1 where tfjs spends 10 to 30 µs per op on wasm
// whatever its size. Results are fresh arrays left to the garbage collector, so scopes and
// `free` have nothing to do. Products accumulate in float64 and skip zero inputs (one-hot rows).

import type { Rng } from '../random.js';
import type { Activation, Engine } from './engine.js';

export class FusedMatrix {
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
  ) {}
}

type F = FusedMatrix;
const make = (rows: number, cols: number): F => new FusedMatrix(rows, cols, new Float32Array(rows * cols));

type Op = (x: number, y: number) => number;
const ADD: Op = (x, y) => x + y;
const SUB: Op = (x, y) => x - y;
const MUL: Op = (x, y) => x * y;

/** a ∘ b with b (or a) a matrix of the same shape, a [1, cols] row, a [rows, 1] column or a number. */
function zip(a: F | number, b: F | number, op: Op): F {
  if (typeof a === 'number') {
    const m = b as F;
    const out = make(m.rows, m.cols);
    for (let i = 0; i < m.data.length; i++) out.data[i] = op(a, m.data[i]!);
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
    for (let r = 0, k = 0; r < b.rows; r++) for (let c = 0; c < b.cols; c++, k++) wide.data[k] = op(x[r]!, y[k]!);
    return wide;
  } else {
    throw new RangeError(`fused: expected broadcastable shapes, but got [${a.rows}, ${a.cols}] and [${b.rows}, ${b.cols}]`);
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
    for (let i = 0; i < y.length; i++) out.data[i] = a - y[i]!;
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
  for (let i = 0; i < x.length; i++) out.data[i] = Math.tanh(x[i]!);
  return out;
}

function square(a: F): F {
  const out = make(a.rows, a.cols);
  const x = a.data;
  for (let i = 0; i < x.length; i++) out.data[i] = x[i]! * x[i]!;
  return out;
}

/**
 * out[i, j] += Σ_p A[i, p]·w[p, j] for i < rows, p < inner, j < cols, where A is `x` read by rows
 * ([rows, inner]) or, with `columns`, by columns (x is [inner, rows]: the product xᵀ·w). Four
 * rows of w are folded in per pass over out's row, and all-zero input groups (one-hot inputs,
 * masked rows) are skipped.
 */
function accumulateProduct(x: Float32Array, w: Float32Array, o: Float32Array, rows: number, inner: number, cols: number, columns: boolean): void {
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
  for (let r = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++) out.data[c * a.rows + r] = a.data[r * a.cols + c]!;
  return out;
}

function map(a: F, f: (x: number) => number): F {
  const out = make(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

export const fusedEngine: Engine<F> = {
  kind: 'fused',
  scope: (fn) => fn(),
  keep: (m) => m,
  free: () => {},
  live: () => 0,
  rows: (m) => m.rows,
  cols: (m) => m.cols,
  matrix: (data, rows, cols) => new FusedMatrix(rows, cols, Float32Array.from(data)),
  zeros: (rows, cols) => make(rows, cols),
  read: (m) => m.data.slice(),
  parameter: (data, rows, cols) => new FusedMatrix(rows, cols, Float32Array.from(data)),
  zerosParameter: (rows, cols) => make(rows, cols),
  assign: (p, value) => p.data.set(value.data),

  matMul: (a, b) => {
    const out = make(a.rows, b.cols);
    accumulateProduct(a.data, b.data, out.data, a.rows, a.cols, b.cols, false);
    return out;
  },
  matMulAT: (a, b) => {
    // (aᵀ·b)[p, j] = Σ_i a[i, p]·b[i, j]: the same accumulation with a read by columns.
    const out = make(a.cols, b.cols);
    accumulateProduct(a.data, b.data, out.data, a.cols, a.rows, b.cols, true);
    return out;
  },
  matMulBT: (a, b) => {
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
        out.data[i * m + j] = s0 + s1 + s2 + s3;
      }
    }
    return out;
  },
  add,
  sub,
  mul,
  square,
  sumRows: (a) => {
    const out = make(1, a.cols);
    for (let r = 0, k = 0; r < a.rows; r++) for (let c = 0; c < a.cols; c++, k++) out.data[c] += a.data[k]!;
    return out;
  },
  sumAll: (a) => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i]!;
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
    const out = make(ms.reduce((n, m) => n + m.rows, 0), ms[0]!.cols);
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
    return Array.from({ length: parts }, (_, i) => new FusedMatrix(rows, m.cols, m.data.slice(i * rows * m.cols, (i + 1) * rows * m.cols)));
  },
  sliceCols: (m, start, size) => {
    const out = make(m.rows, size);
    for (let r = 0; r < m.rows; r++) out.data.set(m.data.subarray(r * m.cols + start, r * m.cols + start + size), r * size);
    return out;
  },
  activate: (pre, activation: Activation) => {
    switch (activation) {
      case 'tanh':
        return tanh(pre);
      case 'sigmoid':
        return map(pre, (x) => 1 / (1 + Math.exp(-x)));
      case 'relu':
        return map(pre, (x) => (x > 0 ? x : 0));
      case 'linear':
        return pre;
      case 'sign':
        return map(pre, Math.sign);
      case 'softmax': {
        const out = make(pre.rows, pre.cols);
        for (let r = 0; r < pre.rows; r++) {
          const at = r * pre.cols;
          let top = -Infinity;
          for (let c = 0; c < pre.cols; c++) top = Math.max(top, pre.data[at + c]!);
          let z = 0;
          for (let c = 0; c < pre.cols; c++) z += out.data[at + c] = Math.exp(pre.data[at + c]! - top);
          for (let c = 0; c < pre.cols; c++) out.data[at + c] = out.data[at + c]! / z;
        }
        return out;
      }
    }
  },
  above: (a, threshold) => map(a, (x) => (x > threshold ? 1 : 0)),
  oneHotArgMax: (a) => {
    const out = make(a.rows, a.cols);
    for (let r = 0; r < a.rows; r++) {
      let best = 0;
      for (let c = 1; c < a.cols; c++) if (a.data[r * a.cols + c]! > a.data[r * a.cols + best]!) best = c;
      out.data[r * a.cols + best] = 1;
    }
    return out;
  },
  rowMax: (a) => {
    const out = make(a.rows, 1);
    for (let r = 0; r < a.rows; r++) {
      let top = -Infinity;
      for (let c = 0; c < a.cols; c++) top = Math.max(top, a.data[r * a.cols + c]!);
      out.data[r] = top;
    }
    return out;
  },
  crossEntropy: (p, y) => {
    let s = 0;
    for (let i = 0; i < p.data.length; i++) if (y.data[i] !== 0) s -= y.data[i]! * Math.log(Math.max(p.data[i]!, 1e-7));
    return new FusedMatrix(1, 1, Float32Array.of(s));
  },
  gaussian: (rows, cols, std, rng: Rng) => {
    const out = make(rows, cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = std * rng.normal();
    return out;
  },
  uniform: (rows, cols, rng: Rng) => {
    const out = make(rows, cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = rng.float();
    return out;
  },
  sgdStep: (p, g, velocity, learningRate, momentum) => {
    const w = p.data;
    if (!velocity) {
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - learningRate * g.data[i]!;
      return;
    }
    const v = velocity.data;
    for (let i = 0; i < w.length; i++) {
      v[i] = momentum * v[i]! + g.data[i]!;
      w[i] = w[i]! - learningRate * v[i]!;
    }
  },
  rmspropStep: (p, g, s, learningRate, rho, epsilon) => {
    const w = p.data;
    for (let i = 0; i < w.length; i++) {
      const gi = g.data[i]!;
      s.data[i] = rho * s.data[i]! + (1 - rho) * gi * gi;
      w[i] = w[i]! - (learningRate * gi) / (Math.sqrt(s.data[i]!) + epsilon);
    }
  },
  adamStep: (p, g, m, v, stepSize, beta1, beta2, epsilon) => {
    const w = p.data;
    for (let i = 0; i < w.length; i++) {
      const gi = g.data[i]!;
      m.data[i] = beta1 * m.data[i]! + (1 - beta1) * gi;
      v.data[i] = beta2 * v.data[i]! + (1 - beta2) * gi * gi;
      w[i] = w[i]! - (stepSize * m.data[i]!) / (Math.sqrt(v.data[i]!) + epsilon);
    }
  },
};
