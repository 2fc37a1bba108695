import { describe, expect, it } from 'vitest';
import { type FusedMatrix, fusedEngine as e } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { packSide, sideFromLabels, sideMatrices } from '../../src/learner/side-batch.js';
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
  unsupervisedTarget: 'pseudo-label',
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

describe('Top#target with two modalities', () => {
  const a = { name: 'a', kind: 'categorical' as const, size: 3 };
  const b = { name: 'b', kind: 'categorical' as const, size: 2 };
  const both = { ...base, modalities: [a, b], target: 'reconstruction' as const };
  // Side weights start at zero; give them values so that every side input moves the reconstruction.
  const trained = (config: TopConfig, seed: number): Top<FusedMatrix> => {
    const top = new Top(e, config, new Rng(seed));
    const rng = new Rng(seed + 100);
    for (const w of top.autoencoder.sideWeights) {
      const values = Float32Array.from({ length: e.rows(w) * e.cols(w) }, () => rng.float() * 2 - 1);
      e.assign(w, e.matrix(values, e.rows(w), e.cols(w)));
    }
    return top;
  };

  it('reconstruction: a missing modality enters the top AE absent (presence 0), not present with zeros', () => {
    const top = trained({ ...both, unsupervisedWeight: 0 }, 4);
    const side = sideMatrices(e, [a, b], packSide([a, b], [{ a: 2 }, { a: 0, b: 1 }], 'test'));
    const ae = top.autoencoder;
    const [pa, pb] = top.predict(codes);
    // The oracle: rec_h given each modality as [y ⊙ p, p], the difference form anchored on ŷ ⊙ p.
    const given = read(ae.reconstructCode(codes, side.inputs));
    const anchor = read(
      ae.reconstructCode(codes, [
        e.concatCols([pa!, e.matrix(Float32Array.of(1, 1), 2, 1)]),
        e.mul(e.concatCols([pb!, e.matrix(Float32Array.of(1, 1), 2, 1)]), side.present[1]!),
      ]),
    );
    const target = read(top.target(codes, side, 'difference'));
    read(codes).forEach((h, i) => expect(target[i]!).toBeCloseTo(h + given[i]! - anchor[i]!, 5));
    const plain = read(top.target(codes, side, 'plain'));
    plain.forEach((v, i) => expect(v).toBeCloseTo(given[i]!, 5));
  });

  it('reconstruction, pseudo-label fill: a confidently filled modality counts as present, an unsure one absent', () => {
    const top = trained({ ...both, unsupervisedWeight: 1, unsupervisedConfidence: 0 }, 5);
    const sure = sideMatrices(e, [a, b], packSide([a, b], [{ a: 2 }, { a: 0 }], 'test'));
    const [, pb] = top.predict(codes);
    const guess = read(e.oneHotArgMax(pb!));
    const filled = sideMatrices(
      e,
      [a, b],
      packSide(
        [a, b],
        [
          { a: 2, b: guess.indexOf(1, 0) },
          { a: 0, b: guess.indexOf(1, 2) - 2 },
        ],
        'test',
      ),
    );
    // Confidence 0: every fill counts, so the row is as if B were given its most likely class.
    expect(read(top.target(codes, sure, 'plain'))).toEqual(read(top.target(codes, filled, 'plain')));
    const unsure = trained({ ...both, unsupervisedWeight: 1, unsupervisedConfidence: 1.01 }, 5);
    const absent = trained({ ...both, unsupervisedWeight: 0 }, 5);
    expect(read(unsure.target(codes, sure, 'plain'))).toEqual(read(absent.target(codes, sure, 'plain')));
  });
});

describe('TopAutoEncoder#gradients with a drop probability per modality', () => {
  const a = { name: 'a', kind: 'categorical' as const, size: 3 };
  const b = { name: 'b', kind: 'continuous' as const, size: 1 };

  it('never masks a modality at 0 and always masks one at 1, which is still reconstructed', () => {
    const config = { ...base, modalities: [a, b], trainAutoEncoder: true, dropProbability: [0, 1] };
    const top = new Top(e, config, new Rng(6));
    const side = sideMatrices(e, [a, b], packSide([a, b], [{ a: 2, b: Float32Array.of(0.5) }], 'test'));
    const sums = Array.from({ length: 20 }, () =>
      e.scope(() => {
        const pairs = top.autoencoder.gradients(e.splitRows(codes, 2)[0]!, side).pairs;
        const [wa, wb] = top.autoencoder.sideWeights;
        const of = (w: FusedMatrix): number => e.read(e.sumAll(e.square(pairs.find(([p]) => p === w)![1])))[0]!;
        const decoder = top.autoencoder.sideDecoders[1]!;
        return [of(wa!), of(wb!), of(decoder)];
      }),
    );
    for (const [ga, gb, gdec] of sums) {
      expect(ga).toBeGreaterThan(0); // a enters every time…
      expect(gb).toBe(0); // …b never does (its input weights get no gradient)…
      expect(gdec).toBeGreaterThan(0); // …but b is predicted, and its decoder learns
    }
  });
});

describe('Top#target with target weights per modality', () => {
  const a = { name: 'a', kind: 'categorical' as const, size: 3 };
  const b = { name: 'b', kind: 'continuous' as const, size: 1 };
  const config = { ...base, modalities: [a, b] };
  const side = sideMatrices(e, [a, b], packSide([a, b], [{ a: 2, b: Float32Array.of(1) }, { a: 0 }], 'test'));

  it("weight 0 keeps a modality out of the codes' targets, 1 is the default, a weight between scales its step", () => {
    const moved = (targetWeights?: number[]): number[] => {
      const top = new Top(e, { ...config, ...(targetWeights && { targetWeights }) }, new Rng(7));
      return read(top.target(codes, side, 'difference')).map((v, i) => v - read(codes)[i]!);
    };
    const both = moved();
    expect(moved([1, 1])).toEqual(both);
    const onlyA = moved([1, 0]);
    const onlyB = moved([0, 1]);
    expect(moved([0, 0]).every((v) => v === 0)).toBe(true);
    both.forEach((v, i) => expect(onlyA[i]! + onlyB[i]!).toBeCloseTo(v, 5));
    moved([1, 0.5]).forEach((v, i) => expect(v).toBeCloseTo(onlyA[i]! + 0.5 * onlyB[i]!, 5));
    expect(onlyB.slice(4).every((v) => v === 0)).toBe(true); // row 2 has no b
  });
});
