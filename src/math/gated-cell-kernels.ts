// The gated cell (gated-layer.ts) in one call for its forward and one for its gradients,
// instead of six products and about fifteen engine ops apiece: at a window's rows and 64 units
// each op spent more on making its result than on its arithmetic. With the SIMD kernels and
// the weights in their memory, the inputs are copied in once, the six products of each pass run
// there and the elementwise work reads them in place; the gates' logistic is ½ + ½·tanh(x/2) on
// the tanh kernel (within 2e-7 of Math.exp's, absolute). Otherwise engine products and Math.exp.
// Sums are taken in float64 and rounded once, so values differ from the op-by-op path by
// float32 rounding only.

import type { Engine } from './engine.js';
import { countedKernels, uncountedEngine } from './engine-counter.js';
import {
  type FusedMatrix,
  copied,
  heap,
  jsFusedEngine,
  jsMatMul,
  jsMatMulAT,
  make,
  padded,
  scalar,
  simdFusedEngine as wasmFusedEngine,
} from './fused-engine.js';
import { kernels } from './wasm-kernels.js';

type F = FusedMatrix;

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
   * With `tail` > 0 the last `tail` rows of x and the context are only run forward, their codes
   * returned as `codes` (forward's h of those rows); the loss and gradients are of the rows before
   * them, which `target` and `rowWeights` have. One forward serves the fit and another pass
   * that wants the cell's codes at the same weights (the decoder's corrupted inputs).
   */
  fit(
    x: M,
    context: M,
    target: M,
    rowWeights: M | null,
    scale: number,
    p: GatedCellWeights<M>,
    into: readonly M[] | null,
    tail?: number,
  ): { readonly gradients: M[]; readonly loss: M; readonly codes?: M };
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
      ((x, context, target, rowWeights, scale, p, into, tail = 0) => {
        const all = forward(x, context, p);
        const head = x.rows - tail;
        const cell = tail > 0 ? sliceCell(all, head) : all;
        const [hx, hc] = tail > 0 ? [firstRows(x, head), firstRows(context, head)] : [x, context];
        const result = targetGradients(hx, hc, cell, target, rowWeights, scale, p);
        const codes = tail > 0 ? lastRows(all.h, tail) : undefined;
        if (!into) return { ...result, ...(codes && { codes }) };
        result.gradients.forEach((g, k) => into[k]!.data.set(g.data));
        return { gradients: [...into], loss: result.loss, ...(codes && { codes }) };
      }),
  };
}

/** The first `rows` rows of m, as a result of their own. */
const firstRows = (m: F, rows: number): F => copied(rows, m.cols, m.data.subarray(0, rows * m.cols));

/** The last `rows` rows of m, as a result of their own. */
const lastRows = (m: F, rows: number): F => copied(rows, m.cols, m.data.subarray((m.rows - rows) * m.cols));

/** A cell's values on its first `rows` rows. */
function sliceCell(cell: GatedCellValues<F>, rows: number): GatedCellValues<F> {
  const { z, r, uh, n, h } = cell;
  return {
    z: firstRows(z, rows),
    r: firstRows(r, rows),
    uh: firstRows(uh, rows),
    n: firstRows(n, rows),
    h: firstRows(h, rows),
  };
}

/**
 * The SIMD fit: with whole vectors, every parameter and every `into` in the kernels' memory, one
 * scratch block holds the inputs, the cell, the deltas and the column sums, and the six weight
 * gradients are written straight into `into`; otherwise the two passes in turn.
 */
const simdFit: Fit = (x, context, target, rowWeights, scale, p, into, tail = 0) => {
  const rows = x.rows;
  const head = rows - tail;
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
  if (at < 0) return simdGatedKernels.fit(x, context, target, rowWeights, scale, p, into, tail);
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
  // The deltas and gradients of the first `head` rows (the tail's are only run forward).
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
    head,
    cols,
  );
  const g = into!;
  const blocks = [deltas, deltas + b, deltas + 2 * b, deltas + 3 * b] as const;
  gradientProducts(
    xo,
    co,
    blocks,
    [0, 1, 3, 4, 6, 7].map((i) => g[i]!.offset),
    head,
    inner,
    cols,
  );
  const s0 = so >> 2;
  f32.copyWithin(g[2]!.offset >> 2, s0, s0 + cols);
  f32.copyWithin(g[5]!.offset >> 2, s0 + cols, s0 + 2 * cols);
  f32.copyWithin(g[8]!.offset >> 2, s0 + 2 * cols, s0 + 3 * cols);
  if (tail === 0) return { gradients: [...g], loss: scalar(loss) };
  // h is block 1: the tail's codes are its last rows.
  const from = ((at + b) >> 2) + head * cols;
  return { gradients: [...g], loss: scalar(loss), codes: copied(tail, cols, f32.subarray(from, from + tail * cols)) };
};

const jsGatedKernels = cellKernels(jsGatedForward, jsGatedGradients);
const simdGatedKernels = cellKernels(simdGatedForward, simdGatedGradients);
const simdFitKernels: GatedCellKernels<F> = {
  ...simdGatedKernels,
  code: (x, context, p) => simdGatedPass(x, context, p, true) as F,
  fit: simdFit,
};

/**
 * Each pass's six products: 2·rows·(inner + cols)·cols operations per gate and candidate (fit: two
 * passes, the gradients' without the tail rows).
 */
function gatedFlops(key: string, args: unknown[]): number {
  const [x, context] = args as [F, F];
  const tail = key === 'fit' ? ((args[7] as number | undefined) ?? 0) : 0;
  const rows = key === 'fit' ? 2 * x.rows - tail : x.rows;
  return 3 * 2 * rows * (x.cols + context.cols) * context.cols;
}

/** The gated cell's fused passes for a fused engine, or null for another engine (which uses its ops). */
export function gatedCellKernels<M>(e: Engine<M>): GatedCellKernels<M> | null {
  const base = uncountedEngine(e) as Engine<unknown>;
  const own =
    base === jsFusedEngine ? jsGatedKernels : wasmFusedEngine && base === wasmFusedEngine ? simdFitKernels : null;
  return own && (countedKernels(e as Engine, 'gatedCell', own, gatedFlops) as unknown as GatedCellKernels<M>);
}
