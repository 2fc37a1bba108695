// The fused engine's WebAssembly SIMD kernels: the committed module, its agreement with the
// plain JS kernels, and the kernel memory that parameters live in.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_MODULE, compileKernels, kernelsModuleText, loadWabt } from '../../src/math/build-kernels.js';
import { FusedMatrix, fusedEngine, jsFusedEngine, simdFusedEngine } from '../../src/math/fused-engine.js';
import {
  KERNEL_EXPORTS,
  KernelHeap,
  kernelBytes,
  kernelHeap,
  kernels,
  kernelsOff,
} from '../../src/math/wasm-kernels.js';
import { Rng } from '../../src/random.js';

const wabt = await loadWabt();
const simd = simdFusedEngine!;
const js = jsFusedEngine;

/** Runs a module snippet in a fresh process with `env`, returning what it printed. */
function node(code: string, env: Record<string, string>): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

const rng = new Rng(11);
/** Gaussian values, with about `zeros` of them exactly 0 (0 and −0 alike). */
function values(n: number, zeros = 0): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.float() < zeros ? (rng.float() < 0.5 ? 0 : -0) : rng.normal()));
}

/**
 * Expects `got` to equal `want` up to 1e-5 relative to `scale` (per entry: for a product, Σ|a|·|b|,
 * the size the rounding errors of its terms are relative to).
 */
function expectClose(got: Float32Array, want: Float32Array, scale: Float32Array | number = 1): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i]!;
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= 1e-5 * Math.max(s, Math.abs(want[i]!))))
      expect.fail(`entry ${i}: ${got[i]} against ${want[i]} (scale ${s})`);
  }
}

const abs = (m: FusedMatrix): FusedMatrix => new FusedMatrix(m.rows, m.cols, m.data.map(Math.abs));

describe('the committed kernel module', () => {
  it('decodes to a module that validates and exports the kernels, importing only its memory', () => {
    const bytes = kernelBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const module = new WebAssembly.Module(bytes);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual([...KERNEL_EXPORTS].sort());
    expect(WebAssembly.Module.exports(module).every((e) => e.kind === 'function')).toBe(true);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('is what kernels.wat compiles to (needs wabt; set TPROP_WABT to its folder)', (ctx) => {
    if (!wabt) {
      const why = 'wabt is not installed (npm install wabt@1.0.39 anywhere and set TPROP_WABT to its folder)';
      console.warn(`fused-kernels.test: not recompiling kernels.wat: ${why}`);
      ctx.skip(why);
      return;
    }
    const binary = compileKernels(wabt);
    expect(Buffer.from(binary).equals(Buffer.from(kernelBytes()))).toBe(true);
    expect(readFileSync(KERNELS_MODULE, 'utf8')).toBe(kernelsModuleText(binary));
  });

  it('is on here (Node 20 has WebAssembly SIMD), and off with TPROP_FUSED_WASM=0', () => {
    if (process.env.TPROP_FUSED_WASM === '0') {
      expect(kernelsOff).toBe('TPROP_FUSED_WASM=0');
      expect(fusedEngine).toBe(jsFusedEngine);
    } else {
      expect(kernelsOff).toBeNull();
      expect(kernels).not.toBeNull();
      expect(fusedEngine).toBe(simdFusedEngine);
    }
    const at = new URL('../../src/math/', import.meta.url).pathname;
    const code = [
      `import { kernelsOff } from '${at}wasm-kernels.ts';`,
      `import { fusedEngine, jsFusedEngine } from '${at}fused-engine.ts';`,
      'const data = fusedEngine.parameter(Float32Array.of(1, 2), 1, 2).offset;',
      'console.log(JSON.stringify({ off: kernelsOff, js: fusedEngine === jsFusedEngine, data }));',
    ].join('\n');
    expect(JSON.parse(node(code, { TPROP_FUSED_WASM: '0' }))).toEqual({
      off: 'TPROP_FUSED_WASM=0',
      js: true,
      data: -1,
    });
  });

  it('is off, leaving the JS kernels, where the module does not validate (no SIMD)', () => {
    const at = new URL('../../src/math/', import.meta.url).pathname;
    const code = `WebAssembly.validate = () => false;
const { kernelsOff } = await import('${at}wasm-kernels.ts');
const { fusedEngine, jsFusedEngine } = await import('${at}fused-engine.ts');
const e = fusedEngine;
const y = e.read(e.matMul(e.matrix(Float32Array.of(1, 2), 1, 2), e.parameter(Float32Array.of(1, 2, 3, 4), 2, 2)));
console.log(JSON.stringify({ off: kernelsOff, js: fusedEngine === jsFusedEngine, y: [...y] }));`;
    expect(JSON.parse(node(code, { TPROP_FUSED_WASM: '' }))).toEqual({
      off: 'WebAssembly SIMD is not supported here',
      js: true,
      y: [7, 10],
    });
  });
});

describe.skipIf(!kernels)('the SIMD kernels against the plain JS ones', () => {
  // [rows, inner, cols]: vector tails, row blocks and their leftovers, one-hot-like sparsity.
  const shapes: [number, number, number][] = [
    [1, 128, 128],
    [16, 128, 128],
    [15, 128, 8],
    [1, 8, 128],
    [3, 7, 5],
    [5, 9, 13],
    [4, 4, 36],
    [7, 130, 131],
    [2, 256, 33],
    [9, 1, 40],
  ];

  it('multiply: a·b, aᵀ·b and a·bᵀ, on parameters and on plain matrices', () => {
    for (const [r, k, c] of shapes) {
      for (const zeros of [0, 0.8]) {
        const a = js.matrix(values(r * k, zeros), r, k);
        const b = values(k * c);
        const plainB = js.matrix(b, k, c);
        const want = js.matMul(a, plainB);
        const scale = js.matMul(abs(a), abs(plainB)).data;
        expectClose(simd.read(simd.matMul(a, simd.parameter(b, k, c))), want.data, scale);
        expectClose(simd.read(simd.matMul(a, plainB)), want.data, scale);

        const d = js.matrix(values(r * c), r, c);
        expectClose(simd.read(simd.matMulAT(a, d)), js.matMulAT(a, d).data, js.matMulAT(abs(a), abs(d)).data);

        const e = values(c * k);
        const plainE = js.matrix(e, c, k);
        const scaleBT = js.matMulBT(abs(a), abs(plainE)).data;
        expectClose(simd.read(simd.matMulBT(a, simd.parameter(e, c, k))), js.matMulBT(a, plainE).data, scaleBT);
        expectClose(simd.read(simd.matMulBT(a, plainE)), js.matMulBT(a, plainE).data, scaleBT);
      }
    }
  });

  it('give exactly the JS kernels’ results where no rounding happens (small integers)', () => {
    const ints = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.int(7) - 3);
    const a = js.matrix(ints(6 * 37), 6, 37);
    const b = js.matrix(ints(37 * 41), 37, 41);
    const d = js.matrix(ints(6 * 41), 6, 41);
    const e = js.matrix(ints(41 * 37), 41, 37);
    expect(simd.read(simd.matMul(a, b))).toEqual(js.read(js.matMul(a, b)));
    expect(simd.read(simd.matMulAT(a, d))).toEqual(js.read(js.matMulAT(a, d)));
    expect(simd.read(simd.matMulBT(a, e))).toEqual(js.read(js.matMulBT(a, e)));
  });

  it('take optimiser steps as the JS kernels do (adam, rmsprop, sgd with and without momentum)', () => {
    for (const n of [1, 3, 130, 16 * 16]) {
      const start = values(n);
      const grads = Array.from({ length: 5 }, () => values(n));
      type Rule = (e: typeof js, p: FusedMatrix, g: FusedMatrix, s: FusedMatrix[]) => void;
      const rules: [string, number, Rule][] = [
        ['adam', 2, (e, p, g, [m, v]) => e.adamStep(p, g, m!, v!, 1e-3, 0.9, 0.999, 1e-7)],
        ['rmsprop', 1, (e, p, g, [s]) => e.rmspropStep(p, g, s!, 1e-2, 0.9, 1e-7)],
        ['sgd', 0, (e, p, g) => e.sgdStep(p, g, null, 0.1, 0.9)],
        ['momentum', 1, (e, p, g, [u]) => e.sgdStep(p, g, u!, 0.1, 0.9)],
      ];
      for (const [name, slots, rule] of rules) {
        const run = (e: typeof js): Float32Array[] => {
          const p = e.parameter(start, 1, n);
          const s = Array.from({ length: slots }, () => e.zerosParameter(1, n));
          for (const g of grads) rule(e, p, e.matrix(g, 1, n), s);
          return [p, ...s].map((m) => e.read(m));
        };
        const [want, got] = [run(js), run(simd)];
        want.forEach((w, i) => {
          try {
            expectClose(got[i]!, w, 1); // slots sum terms of size about 1 that may cancel
          } catch (err) {
            throw new Error(`${name}, ${n} entries, matrix ${i}: ${(err as Error).message}`);
          }
        });
      }
    }
  });

  it('tanh: within 4e-7 of Math.tanh, relative, and exact at 0, −0, ±∞ and NaN', () => {
    const xs = new Float32Array(40003);
    for (let i = 0; i < xs.length; i++) xs[i] = ((i - 20001) / 20001) * 12 * (i % 3 === 0 ? 1e-3 : 1);
    const got = simd.read(simd.activate(js.matrix(xs, 1, xs.length), 'tanh'));
    for (let i = 0; i < xs.length; i++) {
      const want = Math.fround(Math.tanh(xs[i]!));
      if (!(Math.abs(got[i]! - want) <= 4e-7 * Math.abs(want)))
        expect.fail(`tanh(${xs[i]}) = ${got[i]}, expected ${want}`);
    }
    const special = simd.read(
      simd.activate(
        js.matrix(Float32Array.of(0, -0, Infinity, -Infinity, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1, 17),
        'tanh',
      ),
    );
    expect([...special.subarray(0, 5)]).toEqual([0, -0, 1, -1, NaN]);
  });
});

describe.skipIf(!kernels)('parameters in the kernel memory', () => {
  it('live there, read and assign like plain ones, and keep their values when the memory grows', () => {
    const heap = kernelHeap!;
    const values1 = values(128 * 128);
    const p = simd.parameter(values1, 128, 128);
    expect(p.offset).toBeGreaterThanOrEqual(0);
    expect(p.data.buffer).toBe(heap.memory.buffer);
    const x = js.matrix(values(128), 1, 128);
    const before = simd.read(simd.matMul(x, p));
    const generation = heap.generation;
    const big = simd.zerosParameter(4096, 4096); // 64 MB: more than the memory holds, so it grows
    expect(heap.generation).toBeGreaterThan(generation);
    expect(p.data.buffer).toBe(heap.memory.buffer);
    expect(simd.read(p)).toEqual(values1);
    expect(simd.read(simd.matMul(x, p))).toEqual(before);
    expect(big.data.every((v) => v === 0)).toBe(true);
    simd.free(big);
    const q = simd.zerosParameter(2, 3);
    simd.assign(q, js.matrix(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3));
    expect(simd.read(q)).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
    simd.free([p, q]);
  });

  it('return their space when freed, and stay readable as plain arrays', () => {
    const heap = kernelHeap!;
    const used = heap.used;
    const ps = [3, 100, 7, 4096, 1].map((n) => simd.parameter(values(n), 1, n));
    expect(heap.used).toBeGreaterThan(used);
    const copies = ps.map((p) => simd.read(p));
    simd.free(ps);
    expect(heap.used).toBe(used);
    ps.forEach((p, i) => {
      expect(p.offset).toBe(-1);
      expect(p.data).toEqual(copies[i]);
    });
    simd.free(ps); // twice: nothing left to do
    expect(heap.used).toBe(used);
  });

  it('come from a first-fit allocator whose freed blocks coalesce', () => {
    const heap = new KernelHeap(new WebAssembly.Memory({ initial: 1 }));
    const [a, b, c] = [100, 200, 300].map((n) => heap.alloc(n));
    expect([a, b, c]).toEqual([0, 112, 320]);
    heap.release(b!);
    expect(heap.alloc(50)).toBe(112);
    heap.release(112);
    heap.release(a!);
    expect(heap.alloc(300)).toBe(0); // a and b merged
    heap.release(0);
    heap.release(c!);
    expect(heap.used).toBe(0);
    expect(heap.alloc(16)).toBe(0); // everything merged back into the top
    const grown = heap.alloc(200_000);
    expect(grown).toBe(16);
    expect(heap.generation).toBe(1);
    expect(heap.f32.buffer).toBe(heap.memory.buffer);
  });
});
