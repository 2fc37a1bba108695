import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';

describe('Rng', () => {
  it('gives the same numbers for the same seed and different ones for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
  });

  it('draws uniform floats in [0, 1) and standard normals with the right moments', () => {
    const rng = new Rng(7);
    const u = Array.from({ length: 20000 }, () => rng.float());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b) / u.length).toBeCloseTo(0.5, 1);
    const n = Array.from({ length: 20000 }, () => rng.normal());
    const mean = n.reduce((a, b) => a + b) / n.length;
    const variance = n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });

  it('restores its exact state, including a cached normal deviate', () => {
    const rng = new Rng(9);
    rng.normal(); // leaves a spare deviate in the state
    const state = rng.getState();
    const next = [rng.normal(), rng.float(), rng.int(10)];
    const copy = new Rng(0);
    copy.setState(JSON.parse(JSON.stringify(state)));
    expect([copy.normal(), copy.float(), copy.int(10)]).toEqual(next);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = new Rng(1).shuffle(items.slice());
    expect(shuffled).not.toEqual(items);
    expect(shuffled.slice().sort((a, b) => a - b)).toEqual(items);
  });
});
