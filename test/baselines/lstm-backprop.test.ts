import { describe, expect, it } from 'vitest';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { tf } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { liveTensors, useEngine } from '../helpers/engine.js';

useEngine();

/** The same LSTM and loss written plainly in tfjs ops, differentiated by tfjs: the reference. */
function autodiff(
  weights: Float32Array[],
  windows: Float32Array,
  targets: Float32Array,
  shape: { rows: number; K: number; n: number; H: number; out: number },
  kind: 'categorical' | 'continuous',
): Float32Array[] {
  const { rows, K, n, H, out } = shape;
  const sizes: [number, number][] = [
    [n, 4 * H],
    [H, 4 * H],
    [1, 4 * H],
    [H, out],
    [1, out],
  ];
  const vars = weights.map((w, i) => tf.variable(tf.tensor2d(w, sizes[i]!)));
  const [W, U, b, V, c] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const grads = tf.tidy(() => {
    const xs = tf.unstack(tf.tensor3d(windows, [rows, K, n]), 1) as tf.Tensor2D[];
    const y = tf.tensor2d(targets, [rows, out]);
    const { grads } = tf.variableGrads(() => {
      let h = tf.zeros([rows, H]) as tf.Tensor2D;
      let cell = tf.zeros([rows, H]) as tf.Tensor2D;
      for (const x of xs) {
        const z = tf.add(tf.add(tf.matMul(x, W), tf.matMul(h, U)), b);
        const gate = (j: number): tf.Tensor2D => tf.slice(z, [0, j * H], [rows, H]) as tf.Tensor2D;
        cell = tf.add(tf.mul(tf.sigmoid(gate(1)), cell), tf.mul(tf.sigmoid(gate(0)), tf.tanh(gate(3)))) as tf.Tensor2D;
        h = tf.mul(tf.sigmoid(gate(2)), tf.tanh(cell)) as tf.Tensor2D;
      }
      const p = tf.add(tf.matMul(h, V), c);
      return (
        kind === 'categorical' ? tf.losses.softmaxCrossEntropy(y, p) : tf.losses.meanSquaredError(y, p)
      ) as tf.Scalar;
    }, vars);
    return vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
  });
  tf.dispose(vars);
  return grads;
}

describe('LstmBackprop', () => {
  describe('#gradients', () => {
    it.each(['categorical', 'continuous'] as const)(
      'matches tfjs autodiff through the unrolled window (%s head)',
      (kind) => {
        const rows = 3;
        const K = 5;
        const n = 4;
        const H = 6;
        const lstm = new LstmBackprop({ input: { kind, size: n }, units: H, window: K, streams: rows, seed: 2 });
        const rng = new Rng(7);
        const windows = Float32Array.from({ length: rows * K * n }, () => rng.normal());
        const targets = new Float32Array(rows * n);
        for (let r = 0; r < rows; r++) {
          if (kind === 'categorical') targets[r * n + rng.int(n)] = 1;
          else for (let j = 0; j < n; j++) targets[r * n + j] = rng.normal();
        }
        const want = autodiff(lstm.readWeights(), windows, targets, { rows, K, n, H, out: n }, kind);
        const got = lstm.gradients(windows, targets);
        got.forEach((g, i) => {
          const scale = Math.max(...want[i]!.map(Math.abs), 1e-6);
          g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!) / scale, `parameter ${i}`).toBeLessThan(1e-4));
        });
        lstm.dispose();
      },
    );
  });

  describe('#step with a side modality', () => {
    const make = (): LstmBackprop =>
      new LstmBackprop({
        input: { kind: 'categorical', size: 3 },
        modalities: [{ name: 'label', kind: 'categorical', size: 2 }],
        predictNext: false,
        units: 8,
        window: 4,
        seed: 5,
        learningRate: 0.01,
      });
    const x = (s: number): Float32Array => Float32Array.from({ length: 3 }, (_, j) => (j === s ? 1 : 0));
    const label = (l: number | null) => ({
      rows: 1,
      values: [Float32Array.from({ length: 2 }, (_, j) => (j === l ? 1 : 0))],
      present: [Float32Array.of(l === null ? 0 : 1)],
    });

    it('reads the predictions made before learning from the label', () => {
      const taught = make();
      const untaught = make();
      taught.step(x(1), label(1));
      untaught.step(x(1), label(null));
      expect(Array.from(taught.readPredictions()[0]!)).toEqual(Array.from(untaught.readPredictions()[0]!));
      taught.dispose();
      untaught.dispose();
    });

    it('learns a label of the current symbol, keeping the tensor count flat', () => {
      const lstm = make();
      const rng = new Rng(3);
      let hits = 0;
      let warm = 0;
      for (let t = 0; t < 300; t++) {
        if (t === 100) warm = liveTensors();
        const s = rng.int(3);
        lstm.step(x(s), label(s === 0 ? 1 : 0));
        const p = lstm.readPredictions()[0]!;
        if (t >= 250 && p[1]! > p[0]! === (s === 0)) hits++;
      }
      expect(liveTensors()).toBe(warm);
      expect(hits / 50).toBeGreaterThan(0.9);
      lstm.dispose();
    });
  });
});
