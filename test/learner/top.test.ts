import { describe, expect, it } from 'vitest';
import { type FusedMatrix, fusedEngine as e } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { sideFromLabels, sideMatrices } from '../../src/learner/side-batch.js';
import { Top, type TopConfig } from '../../src/learner/top.js';

const label = { name: 'label', kind: 'categorical' as const, size: 3 };
const base: TopConfig = {
  codeSize: 4,
  codeUnits: 'tanh',
  modalities: [label],
  target: 'discriminant',
  reconstructionStep: 1,
  discriminantStep: 0.5,
  unsupervisedWeight: 1,
  unsupervisedTarget: 'map',
  unsupervisedConfidence: 0.7,
  size: 6,
  noise: 0.1,
  dropProbability: 0.5,
  sideWeight: 1,
  trainAutoEncoder: false,
};
const codes = e.matrix(Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.2, -0.1), 2, 4);
const read = (m: FusedMatrix): number[] => Array.from(e.read(m));

describe('Top#target', () => {
  it('discriminant: a labelled row moves by −η·(P − y)·Rᵀ; an unlabelled, unsure one stays', () => {
    const top = new Top(e, base, new Rng(1));
    const side = sideMatrices(e, [label], sideFromLabels(label, [2, -1]));
    const p = top.predict(codes)[0]!;
    const target = read(top.target(codes, side, 'difference'));
    const probs = read(p);
    const r = read(top.readout!.weights[0]!); // [4, 3]
    for (let j = 0; j < 4; j++) {
      let g = 0;
      for (let c = 0; c < 3; c++) g += (probs[c]! - (c === 2 ? 1 : 0)) * r[j * 3 + c]!;
      expect(target[j]!).toBeCloseTo(read(codes)[j]! - 0.5 * g, 5);
    }
    expect(Math.max(...probs.slice(3))).toBeLessThan(0.7); // an untrained readout is unsure…
    expect(target.slice(4)).toEqual(read(codes).slice(4)); // …so the unlabelled row keeps its code
  });

  it("'density': a row without side information moves toward the top AE's reconstruction with the side masked", () => {
    const top = new Top(e, { ...base, unsupervisedTarget: 'density', unsupervisedWeight: 0.5 }, new Rng(2));
    expect(top.usesAutoEncoder).toBe(true);
    const side = sideMatrices(e, [label], sideFromLabels(label, [-1, -1]));
    const target = read(top.target(codes, side, 'difference'));
    const rec = read(top.autoencoder.reconstructCode(codes));
    read(codes).forEach((h, i) => expect(target[i]!).toBeCloseTo(h + 0.5 * (rec[i]! - h), 5));
  });

  it('reconstruction, difference form: no displacement at all before the side inputs have learned any weight', () => {
    const top = new Top(e, { ...base, target: 'reconstruction' }, new Rng(3));
    const side = sideMatrices(e, [label], sideFromLabels(label, [0, 1]));
    // Side weights start at zero, so rec(h, y) = rec(h, ŷ): the target is the code itself.
    read(top.target(codes, side, 'difference')).forEach((v, i) => expect(v).toBeCloseTo(read(codes)[i]!, 6));
    // The plain form anchors on h instead, so it moves toward the reconstruction at once.
    expect(read(top.target(codes, side, 'plain'))).not.toEqual(read(codes));
  });
});
