// What an online sequence learner offers an agent: one step per observation for every stream,
// the predictions made at that step, and episode boundaries. The target-propagation stack and
// the backpropagation baselines implement it, so that agents, benches and tests can run any of
// them on the same stream in the same process.

import type { ModalitySpec } from './modality.js';
import type { SideBatch } from './side-batch.js';

export interface SequenceLearner {
  /** Side modalities predicted at each step (the caller's, then 'next' when it predicts the next input). */
  readonly modalities: readonly ModalitySpec[];
  /** Side modalities the caller provides at each step (all but 'next'). */
  readonly sideModalities: readonly ModalitySpec[];
  readonly predictNext: boolean;
  /** Steps taken so far. */
  readonly steps: number;
  /**
   * One time step: input rows [streams × input size], side information for this step. `ignore`,
   * per stream: true where this input is not to be learned as the target of the previous step's
   * prediction (an anomaly the learner should not adapt to); it is still encoded and predicted from.
   */
  step(input: Float32Array, side?: SideBatch, ignore?: ArrayLike<boolean>): void;
  /** The predictions made at the last step, per modality, [streams × size]. */
  readPredictions(): Float32Array[];
  /** The streams in `rows` (default all) start a new episode at their next step. */
  startEpisode(rows?: readonly number[]): void;
  /** Every stream's episode ended: learn what is pending, start anew at the next step. */
  endEpisode(): void;
  dispose(): void;
}
