// Small composite ops on 2-D row-major batches ([batch, features]) that the core repeats.
// On wasm the transposed-operand flags of matMul are slow paths (matMul(a, b, true) about 20x
// slower than matMul(transpose(a), b); tf.fused.matMul also measured slower), so these avoid them.

import * as tf from '@tensorflow/tfjs';


/** `aᵀ · b`: the sum over the batch of outer products, as a local weight gradient needs. */
export function matMulAT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.transpose(a), b);
}

/** `a · bᵀ`: carries a delta back through a weight matrix. */
export function matMulBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(a, tf.transpose(b));
}

/** Column sums over the batch, kept 2-D ([1, features]) so they match a bias's shape. */
export function sumRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(x, 0, true);
}
