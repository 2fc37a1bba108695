// The fused engine's scopes recycle what they made and neither returned nor kept: the next result
// of that size is the same matrix, zeroed; returned and kept results survive, freed ones are
// recycled, and nothing is reused after a throw.

import { describe, expect, it } from 'vitest';
import { resultPoolBytes, setResultPoolLimit } from '../../src/math/fused-engine.js';
import { fusedEngine as e } from '../../src/math/index.js';

// The debug option TPROP_FUSED_POISON=1 recycles into NaN and never reuses.
const reuses = process.env.TPROP_FUSED_POISON !== '1';

const filled = (rows: number, cols: number, v: number) => e.matrix(new Float32Array(rows * cols).fill(v), rows, cols);

describe('fused scopes', () => {
  it('reuse a dropped result for the next of its size, zeroed, and keep what is returned or kept', () => {
    const dropped = new Set<unknown>();
    let kept: unknown;
    const returned = e.scope(() => {
      const input = filled(3, 5, 1);
      dropped.add(input).add(e.add(input, 1));
      kept = e.keep(e.add(input, 2));
      return { out: [e.add(input, 3)] };
    });
    expect(Array.from(e.read(returned.out[0]!))).toEqual(new Array(15).fill(4));
    expect(Array.from(e.read(kept as never))).toEqual(new Array(15).fill(3));
    const again = e.scope(() => {
      const z = e.zeros(5, 3); // the same entry count: a recycled matrix
      return { recycled: dropped.has(z), values: Array.from(e.read(z)) };
    });
    expect(again.recycled).toBe(reuses);
    expect(again.values).toEqual(new Array(15).fill(0));
    expect(Array.from(e.read(returned.out[0]!))).toEqual(new Array(15).fill(4));
    expect(Array.from(e.read(kept as never))).toEqual(new Array(15).fill(3));
  });

  it('make no arrays in a repeated step once warm, and recycle what is freed', () => {
    const w = e.parameter(new Float32Array(64 * 64).fill(0.01), 64, 64);
    const step = (state: unknown) =>
      e.scope(() => {
        const next = e.activate(e.matMul(state as never, w), 'tanh');
        return e.add(next, 0.5);
      });
    let state: unknown = filled(1, 64, 1);
    for (let i = 0; i < 10; i++) {
      const next = step(state);
      e.free(state as never);
      state = next;
    }
    const before = e.allocated!();
    for (let i = 0; i < 100; i++) {
      const next = step(state);
      e.free(state as never);
      state = next;
    }
    if (reuses) expect(e.allocated!() - before).toBe(0);
    expect(e.read(state as never).every((v) => v > 0.5 && v < 1.5)).toBe(true);
    e.free(w);
  });

  it('recycle nothing a throwing scope made', () => {
    let made: unknown;
    expect(() =>
      e.scope(() => {
        made = e.add(filled(2, 7, 1), 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const other = e.scope(() => e.keep(e.zeros(7, 2)));
    expect(other).not.toBe(made);
    expect(Array.from(e.read(made as never))).toEqual(new Array(14).fill(2));
  });

  it('hold at most their limit in bytes, dropping what would pass it', () => {
    const old = setResultPoolLimit(64 * 1024);
    try {
      expect(resultPoolBytes()).toBeLessThanOrEqual(64 * 1024);
      // 40 results of 4 KB each, every one dropped at the scope's end: 160 KB offered to the pools.
      e.scope(() => {
        for (let i = 0; i < 40; i++) e.zeros(1, 1024 + i);
        return null;
      });
      expect(resultPoolBytes()).toBeLessThanOrEqual(64 * 1024);
      if (reuses) expect(resultPoolBytes()).toBeGreaterThan(32 * 1024);
    } finally {
      setResultPoolLimit(old);
    }
  });
});
