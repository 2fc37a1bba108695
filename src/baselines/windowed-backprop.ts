// What both BPTT baselines (tfjs autodiff, recurrent-backprop.ts, and closed form,
// fused-recurrent-backprop.ts) do the same way around their gradients: the window of the last K
// steps and its schedule (one learning pass every S completed steps, and before a completed step
// slides out unlearned), the checks at the start of a step, episode starts, and the new input
// attached to the previous step as its 'next' target. Each subclass runs its layers and learns.

import { NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import type { SequenceLearner } from '../learner/sequence-learner.js';
import { type SideBatch, emptySide } from '../learner/side-batch.js';
import type { Engine } from '../math/index.js';
import type { ResolvedBackpropOptions } from './backprop-common.js';

/** One step of the window. */
export interface WindowStep<M> {
  readonly input: M;
  readonly continues: M;
  /** Each layer's code before this step (the state the window restarts from). */
  readonly before: M[];
  readonly side: SideBatch;
  complete: boolean;
  learned: boolean;
}

export abstract class WindowedBackprop<M> implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[];
  readonly predictNext: boolean;
  readonly window: number;
  readonly updateEvery: number;
  readonly streams: number;
  steps = 0;
  protected readonly input: { kind: 'categorical' | 'continuous'; size: number };
  protected history: WindowStep<M>[] = [];
  protected disposed = false;
  private readonly pendingStart: boolean[];

  protected constructor(
    protected readonly e: Engine<M>,
    resolved: ResolvedBackpropOptions,
  ) {
    this.input = resolved.input;
    this.predictNext = resolved.predictNext;
    this.sideModalities = resolved.sideModalities;
    this.modalities = resolved.modalities;
    this.window = resolved.window;
    this.updateEvery = resolved.updateEvery;
    this.streams = resolved.streams;
    this.pendingStart = new Array(this.streams).fill(true);
  }

  abstract step(input: Float32Array, side?: SideBatch): void;
  abstract readPredictions(): Float32Array[];
  abstract dispose(): void;
  /** One learning pass over the window's complete, unlearned steps; marks them learned. */
  protected abstract learn(): void;

  /**
   * Checks a step's input (before anything changes), reads and clears the episode starts, and gives
   * the previous step its 'next' target (for streams that continue, and not `ignore`d). Returns this step's side
   * information and the continue flags (0 where a stream starts an episode).
   */
  protected begin(where: string, input: Float32Array, side: SideBatch | undefined, ignore?: ArrayLike<boolean>) {
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
    const B = this.streams;
    const size = this.input.size;
    if (!(input instanceof Float32Array) || input.length !== B * size)
      throw new ShapeMismatchError(`${where}: expected ${B} × ${size} inputs, but got ${describeValue(input)}`);
    if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
    const own = side ?? emptySide(this.sideModalities, B);
    const continues = Float32Array.from(this.pendingStart, (s) => (s ? 0 : 1));
    this.pendingStart.fill(false);
    const last = this.history[this.history.length - 1];
    if (this.predictNext && last && !last.complete) {
      const k = last.side.values.length - 1;
      for (let r = 0; r < B; r++) {
        if (continues[r] === 0 || ignore?.[r]) continue;
        last.side.values[k]!.set(input.subarray(r * size, (r + 1) * size), r * size);
        last.side.present[k]![r] = 1;
      }
      last.complete = true;
    }
    return { own, continues };
  }

  /**
   * Keeps the step just run in the window (its 'next' slot empty until the next input comes) and
   * learns on the schedule: first from a completed step about to slide out unlearned, then once S
   * completed steps wait.
   */
  protected remember(input: M, continues: M, before: readonly M[], own: SideBatch): void {
    const B = this.streams;
    const side: SideBatch = this.predictNext
      ? {
          rows: B,
          values: [...own.values, new Float32Array(B * this.input.size)],
          present: [...own.present, new Float32Array(B)],
        }
      : own;
    const oldest = this.history[0];
    if (this.history.length === this.window && oldest?.complete && !oldest.learned) this.learn();
    this.history.push({ input, continues, before: [...before], side, complete: !this.predictNext, learned: false });
    while (this.history.length > this.window) this.drop(this.history.shift()!);
    this.steps++;
    if (this.history.filter((s) => s.complete && !s.learned).length >= this.updateEvery) this.learn();
  }

  startEpisode(rows?: readonly number[]): void {
    for (const r of rows ?? this.pendingStart.map((_, i) => i)) this.pendingStart[r] = true;
  }

  endEpisode(): void {
    for (const s of this.history) s.complete = true;
    this.learn();
    this.startEpisode();
  }

  /** Frees the window; false when already disposed (the subclass then frees nothing more). */
  protected release(): boolean {
    if (this.disposed) return false;
    this.disposed = true;
    this.history.forEach((s) => this.drop(s));
    this.history = [];
    return true;
  }

  private drop(step: WindowStep<M>): void {
    this.e.free([step.input, step.continues, ...step.before]);
  }
}
