import { describe, expect, it } from 'vitest';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { tf } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { useEngine } from '../helpers/engine.js';

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
});
