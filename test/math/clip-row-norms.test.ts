import { describe, expect, it } from 'vitest';
import { ENGINES, useEngine } from '../helpers/engine.js';

useEngine();

describe.each(ENGINES)('clipRowNorms on the %s engine', (_, e) => {
  it('scales each row down to at most factor × the norm of the same row of ref, and leaves shorter rows', () => {
    const a = e.matrix(Float32Array.of(3, 4, 0.3, 0.4, 0, 0), 3, 2);
    const ref = e.matrix(Float32Array.of(1, 0, 0, 2, 1, 1), 3, 2);
    const out = Array.from(e.read(e.clipRowNorms(a, ref, 2)));
    // Row 1: norm 5 > 2·1, scaled to norm 2. Row 2: norm 0.5 ≤ 2·2, kept. Row 3: zero stays zero.
    const expected = [1.2, 1.6, 0.3, 0.4, 0, 0];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('clips to zero against a zero reference and lets NaN through for the finite check to catch', () => {
    const a = e.matrix(Float32Array.of(1, 1, Number.NaN, 1), 2, 2);
    const ref = e.matrix(Float32Array.of(0, 0, 1, 1), 2, 2);
    const out = Array.from(e.read(e.clipRowNorms(a, ref, 1)));
    expect(out.slice(0, 2)).toEqual([0, 0]);
    expect(out.slice(2).some(Number.isNaN)).toBe(true);
  });
});
