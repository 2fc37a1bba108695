// Micro-bench of the fused engine's heavy kernels: plain JS against WebAssembly SIMD, per
// kernel and size, in one process, the two measured alternately in short rounds (this machine's
// speed drifts) and summarised by the median round. "simd" is the engine as used: the weight
// matrix (or parameter and slots) live in the kernels' memory and only activations are copied;
// "simd copied" passes every operand of a product as a plain array, copied in at each call.
//   npx tsx test/bench/kernels.ts [--rounds 15] [--ms 20] [--json]

import { parseArgs } from 'node:util';
import type { Engine } from '../../src/math/engine.js';
import { type FusedMatrix, jsFusedEngine, simdFusedEngine } from '../../src/math/fused-engine.js';
import { kernelsOff } from '../../src/math/wasm-kernels.js';
import { Rng } from '../../src/random.js';

type E = Engine<FusedMatrix>;
type Run = () => unknown;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    ms: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const roundMs = Number(values.ms);

const rng = new Rng(7);
const values32 = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 0.1);

/** Calls per round so that one round of `run` takes about `roundMs`. */
function calibrate(run: Run): number {
  let calls = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) run();
    const ms = performance.now() - start;
    if (ms > roundMs / 4 || calls > 1e6) return Math.max(1, Math.round((calls * roundMs) / Math.max(ms, 1e-3)));
    calls *= 4;
  }
}

/** µs per call of each run: the median over rounds that take the runs in turn. */
function compare(runs: Run[]): number[] {
  const calls = runs.map((run) => {
    for (let i = 0; i < 20; i++) run(); // warm up
    return calibrate(run);
  });
  const times: number[][] = runs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    runs.forEach((run, k) => {
      const n = calls[k]!;
      const start = performance.now();
      for (let i = 0; i < n; i++) run();
      times[k]!.push(((performance.now() - start) * 1000) / n);
    });
  }
  return times.map((t) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]!);
}

interface Case {
  kernel: string;
  /** Whether "simd copied" applies (optimiser steps need their parameter in kernel memory). */
  copies: boolean;
  shape: string;
  /** One call on engine `e`, with weights made as parameters (`resident`) or plain matrices. */
  make: (e: E, resident: boolean) => Run;
}

const product = (kind: 'matMul' | 'matMulAT' | 'matMulBT', rows: number, inner: number, cols: number): Case => {
  // matMul: [rows, inner]·[inner, cols]; matMulAT: [rows, inner]ᵀ·[rows, cols] (a weight
  // gradient, no parameter involved); matMulBT: [rows, inner]·[cols, inner]ᵀ.
  const shape =
    kind === 'matMul'
      ? `[${rows},${inner}]·[${inner},${cols}]`
      : kind === 'matMulAT'
        ? `[${rows},${inner}]ᵀ·[${rows},${cols}]`
        : `[${rows},${inner}]·[${cols},${inner}]ᵀ`;
  const a = values32(rows * inner);
  const bShape: [number, number] =
    kind === 'matMul' ? [inner, cols] : kind === 'matMulAT' ? [rows, cols] : [cols, inner];
  const b = values32(bShape[0] * bShape[1]);
  return {
    kernel: kind,
    copies: true,
    shape,
    make: (e, resident) => {
      const x = e.matrix(a, rows, inner);
      const w = resident && kind !== 'matMulAT' ? e.parameter(b, ...bShape) : e.matrix(b, ...bShape);
      return () => e[kind](x, w);
    },
  };
};

const optimiser = (kind: 'adam' | 'rmsprop' | 'sgd', n: number): Case => ({
  kernel: kind === 'sgd' ? 'sgd (momentum)' : kind,
  copies: false,
  shape: `[${n},${n}]`,
  make: (e, resident) => {
    const param = (v: Float32Array): FusedMatrix => (resident ? e.parameter(v, n, n) : e.matrix(v, n, n));
    const p = param(values32(n * n));
    const g = e.matrix(
      values32(n * n).map((v) => v * 0.01),
      n,
      n,
    );
    const s1 = param(new Float32Array(n * n));
    const s2 = param(new Float32Array(n * n));
    if (kind === 'adam') return () => e.adamStep(p, g, s1, s2, 1e-3, 0.9, 0.999, 1e-7);
    if (kind === 'rmsprop') return () => e.rmspropStep(p, g, s1, 1e-3, 0.9, 1e-7);
    return () => e.sgdStep(p, g, s1, 1e-2, 0.9);
  },
});

const cases: Case[] = [
  ...[128, 256].flatMap((n) => [1, 16].map((rows) => product('matMul', rows, n, n))),
  product('matMul', 1, 8, 128),
  ...[128, 256].flatMap((n) => [1, 16].map((rows) => product('matMulAT', rows, n, n))),
  ...[128, 256].flatMap((n) => [1, 16].map((rows) => product('matMulBT', rows, n, n))),
  optimiser('adam', 128),
  optimiser('adam', 256),
  optimiser('rmsprop', 128),
  optimiser('sgd', 128),
];

const simd = simdFusedEngine;
if (!simd) console.log(`SIMD kernels are off (${kernelsOff}): measuring plain JS only`);
const rows: Array<Record<string, string | number>> = [];
for (const c of cases) {
  const runs = [c.make(jsFusedEngine, false)];
  if (simd) runs.push(c.make(simd, true));
  if (simd && c.copies) runs.push(c.make(simd, false));
  const [js, wasm, copied] = compare(runs);
  rows.push({
    kernel: c.kernel,
    shape: c.shape,
    'js µs': js!.toFixed(2),
    ...(simd
      ? {
          'simd µs': wasm!.toFixed(2),
          'simd copied µs': copied === undefined ? '-' : copied.toFixed(2),
          'js/simd': (js! / wasm!).toFixed(1),
        }
      : {}),
  });
}

if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  console.log(`µs per call, median of ${rounds} alternating rounds of ~${roundMs} ms each`);
  console.log(line(keys));
  for (const r of rows) console.log(line(keys.map((k) => String(r[k]))));
}
