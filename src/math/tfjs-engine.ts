// The tfjs implementation of Engine: matrices are Tensor2Ds, parameters are Variables, scopes
// are tidy. It avoids the slow paths measured on wasm: the transpose flags of matMul (about
// 20x slower than an explicit transpose) and fused matMul (slower than matMul then add).

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import type { Activation, Engine } from './engine.js';

type T = tf.Tensor2D;

function draw(rows: number, cols: number, fill: () => number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = fill();
  return out;
}

export const tfjsEngine: Engine<T> = {
  kind: 'tfjs',
  // tidy walks arrays and objects in the result and hands their tensors to the enclosing scope.
  scope: (fn) => tf.tidy(fn as () => tf.TensorContainer) as ReturnType<typeof fn>,
  keep: (m) => tf.keep(m),
  free: (ms) => {
    if (!ms) return;
    tf.dispose(ms as tf.Tensor | tf.Tensor[]);
  },
  live: () => tf.memory().numTensors,
  rows: (m) => m.shape[0],
  cols: (m) => m.shape[1],
  matrix: (data, rows, cols) => tf.tensor2d(data, [rows, cols]),
  zeros: (rows, cols) => tf.zeros([rows, cols]),
  read: (m) => m.dataSync() as Float32Array,
  parameter: (data, rows, cols) => {
    const init = tf.tensor2d(data, [rows, cols]);
    const v = tf.variable(init);
    init.dispose();
    return v as unknown as T;
  },
  zerosParameter: (rows, cols) => tfjsEngine.parameter(new Float32Array(rows * cols), rows, cols),
  assign: (p, value) => (p as unknown as tf.Variable).assign(value),
  matMul: (a, b) => tf.matMul(a, b),
  matMulAT: (a, b) => tf.matMul(tf.transpose(a), b),
  matMulBT: (a, b) => tf.matMul(a, tf.transpose(b)),
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  square: (a) => tf.square(a),
  sumRows: (a) => tf.sum(a, 0, true),
  sumAll: (a) => tf.reshape(tf.sum(a), [1, 1]),
  concatCols: (ms) => (ms.length === 1 ? ms[0]! : tf.concat(ms as T[], 1)),
  concatRows: (ms) => (ms.length === 1 ? ms[0]! : tf.concat(ms as T[], 0)),
  splitRows: (m, parts) => (parts === 1 ? [m] : (tf.split(m, parts, 0) as T[])),
  sliceCols: (m, start, size) => tf.slice(m, [0, start], [m.shape[0], size]),
  dense: (x, w, b, activation) => tfjsEngine.activate(tf.add(tf.matMul(x, w), b), activation),
  activate: (pre, activation: Activation) => {
    switch (activation) {
      case 'tanh':
        return tf.tanh(pre);
      case 'sigmoid':
        return tf.sigmoid(pre);
      case 'relu':
        return tf.relu(pre);
      case 'linear':
        return pre;
      case 'sign':
        return tf.sign(pre);
      case 'softmax':
        return tf.softmax(pre);
    }
  },
  above: (a, threshold) => tf.cast(tf.greater(a, threshold), 'float32') as T,
  oneHotArgMax: (a) => tf.cast(tf.oneHot(tf.argMax(a, 1), a.shape[1]), 'float32') as T,
  rowMax: (a) => tf.max(a, 1, true),
  clipRowNorms: (a, ref, factor) =>
    tf.tidy(() => {
      const limit = tf.mul(tf.norm(ref, 'euclidean', 1, true), factor);
      const norm = tf.norm(a, 'euclidean', 1, true);
      return tf.mul(a, tf.minimum(1, tf.div(limit, tf.maximum(norm, 1e-12)))) as T;
    }),
  crossEntropy: (p, y) => tf.reshape(tf.neg(tf.sum(tf.mul(y, tf.log(tf.maximum(p, 1e-7))))), [1, 1]),
  gaussian: (rows, cols, std, rng: Rng) =>
    tf.tensor2d(
      draw(rows, cols, () => std * rng.normal()),
      [rows, cols],
    ),
  uniform: (rows, cols, rng: Rng) =>
    tf.tensor2d(
      draw(rows, cols, () => rng.float()),
      [rows, cols],
    ),
  sgdStep: (p, g, velocity, learningRate, momentum) => {
    tf.tidy(() => {
      if (!velocity) {
        (p as unknown as tf.Variable).assign(tf.sub(p, tf.mul(learningRate, g)));
        return;
      }
      (velocity as unknown as tf.Variable).assign(tf.add(tf.mul(momentum, velocity), g));
      (p as unknown as tf.Variable).assign(tf.sub(p, tf.mul(learningRate, velocity)));
    });
  },
  rmspropStep: (p, g, s, learningRate, rho, epsilon) => {
    tf.tidy(() => {
      (s as unknown as tf.Variable).assign(tf.add(tf.mul(rho, s), tf.mul(1 - rho, tf.square(g))));
      (p as unknown as tf.Variable).assign(tf.sub(p, tf.div(tf.mul(learningRate, g), tf.add(tf.sqrt(s), epsilon))));
    });
  },
  adamStep: (p, g, m, v, stepSize, beta1, beta2, epsilon) => {
    tf.tidy(() => {
      (m as unknown as tf.Variable).assign(tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g)));
      (v as unknown as tf.Variable).assign(tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(g))));
      (p as unknown as tf.Variable).assign(tf.sub(p, tf.div(tf.mul(stepSize, m), tf.add(tf.sqrt(v), epsilon))));
    });
  },
};
