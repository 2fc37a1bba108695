// The compute interface the learning core is written against, with two implementations behind
// it: `tfjs` (tensors and Variables on the tfjs backend: batches, tfjs-node, autodiff baselines)
// and `fused` (plain Float32Array kernels: online learning at batch 1, where tfjs's fixed cost
// per op, 10 to 30 µs on wasm, would dominate a step). The core's maths is written once.
//
// Matrices are 2-D and row-major, [rows, cols]; a batch is rows. Elementwise ops broadcast a
// [1, cols] row, a [rows, 1] column or a number. Parameters are matrices updated in place by
// `assign` or by the fused optimiser steps.

import type { Rng } from '../random.js';

export type EngineKind = 'tfjs' | 'fused';

/** Output functions of units and decoders. */
export type Activation = 'tanh' | 'sigmoid' | 'relu' | 'linear' | 'sign' | 'softmax';

export interface Engine<M = unknown> {
  readonly kind: EngineKind;

  /** Runs `fn`, then frees every matrix it made except those it returns (tfjs's tidy). */
  scope<T>(fn: () => T): T;
  /** Marks a matrix made inside a scope as surviving it. */
  keep<T extends M>(m: T): T;
  free(ms: M | readonly M[] | null | undefined): void;
  /** Live matrices the engine holds (tfjs tensors; 0 for fused, whose results are recycled or collected). */
  live(): number;
  /** Arrays made for results so far (fused: a recycled one is not made); absent for tfjs (every op makes one). */
  allocated?(): number;

  rows(m: M): number;
  cols(m: M): number;
  /** Copies `data` in. */
  matrix(data: Float32Array, rows: number, cols: number): M;
  zeros(rows: number, cols: number): M;
  /** Copies the values out (a synchronous read). */
  read(m: M): Float32Array;
  /** A trainable parameter holding a copy of `data`. */
  parameter(data: Float32Array, rows: number, cols: number): M;
  /** A trainable parameter of zeros. */
  zerosParameter(rows: number, cols: number): M;
  /** Overwrites a parameter's values. */
  assign(p: M, value: M): void;

  matMul(a: M, b: M): M;
  /** aᵀ·b (sums of outer products over rows: local weight gradients). */
  matMulAT(a: M, b: M): M;
  /** a·bᵀ (a delta carried back through a weight matrix). */
  matMulBT(a: M, b: M): M;
  add(a: M, b: M | number): M;
  sub(a: M | number, b: M | number): M;
  mul(a: M, b: M | number): M;
  square(a: M): M;
  /** Column sums, [1, cols]. */
  sumRows(a: M): M;
  /** Sum of every entry, [1, 1]. */
  sumAll(a: M): M;

  concatCols(ms: readonly M[]): M;
  concatRows(ms: readonly M[]): M;
  /** Splits rows into `parts` equal blocks. */
  splitRows(m: M, parts: number): M[];
  sliceCols(m: M, start: number, size: number): M;

  activate(pre: M, activation: Activation): M;
  /** activate(x·w + b, activation), b a [1, cols] row: one call for the three (the same values). */
  dense(x: M, w: M, b: M, activation: Activation): M;
  /** 1 where a > threshold, else 0. */
  above(a: M, threshold: number): M;
  /** Per row, one-hot of the arg-max. */
  oneHotArgMax(a: M): M;
  /** Per row, the maximum, [rows, 1]. */
  rowMax(a: M): M;
  /** Each row of `a` scaled down, if need be, to a norm of at most `factor` × the norm of that row of `ref`. */
  clipRowNorms(a: M, ref: M, factor: number): M;
  /** −Σ y ⊙ log(max(p, 1e-7)), [1, 1]. */
  crossEntropy(p: M, y: M): M;

  /** Standard normals times `std`, drawn from `rng` (the same draws on either engine). */
  gaussian(rows: number, cols: number, std: number, rng: Rng): M;
  /** Uniforms in [0, 1) drawn from `rng`. */
  uniform(rows: number, cols: number, rng: Rng): M;

  /** p ← p − lr·v with v ← μ·v + g (v null: plain SGD). */
  sgdStep(p: M, g: M, velocity: M | null, learningRate: number, momentum: number): void;
  /** s ← ρ·s + (1 − ρ)·g²; p ← p − lr·g / (√s + ε). */
  rmspropStep(p: M, g: M, s: M, learningRate: number, rho: number, epsilon: number): void;
  /** m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − step·m / (√v + ε). */
  adamStep(p: M, g: M, m: M, v: M, stepSize: number, beta1: number, beta2: number, epsilon: number): void;
}

/** The matrix type of an engine, for code that is generic over engines. */
export type MatrixOf<E> = E extends Engine<infer M> ? M : never;
