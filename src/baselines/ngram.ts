// An add-one (Laplace) n-gram over symbols, the floor any learner must beat on a symbol stream:
//   P(c | the previous k symbols) = (count(context, c) + 1) / (count(context) + n)
// learned online and prequentially (the prediction for a symbol is made before it is counted).
// The history restarts at an episode's start, so the first symbols of an episode are predicted
// from the shorter contexts seen there. Plain TypeScript, no tensors; it predicts 'next' only.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import { checkKeys, numberOption } from '../options.js';
import type { SequenceLearner } from '../learner/sequence-learner.js';

export interface NgramOptions {
  /** Categorical only: one-hot rows of `size` symbols (the index of the largest value is read). */
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  /** k, the previous symbols a prediction is conditioned on; default 2 (a trigram model). */
  readonly order?: number;
  readonly streams?: number;
}

export class Ngram implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[] = [];
  readonly predictNext = true;
  readonly order: number;
  readonly streams: number;
  private readonly symbols: number;
  /** Per context (the previous symbols, oldest first): the count of each symbol, then their total. */
  private readonly counts = new Map<string, Float64Array>();
  /** Per stream, the symbols of the current episode, the last `order` of them, oldest first. */
  private readonly history: number[][];
  private pendingStart: boolean[];
  private cached: Float32Array[] | null = null;
  private disposed = false;
  steps = 0;

  constructor(options: NgramOptions) {
    const where = 'Ngram';
    checkKeys(where, options, ['input', 'order', 'streams']);
    if (options?.input?.kind !== 'categorical')
      throw new InvalidOptionError(
        `${where}: expected option "input" to be { kind: 'categorical', size } (an n-gram counts symbols), ` +
          `but got ${describeValue(options?.input)}`,
      );
    this.symbols = numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 });
    this.order = numberOption(where, 'order', options.order, 2, { integer: true, min: 0 });
    this.streams = numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 });
    this.modalities = [{ name: 'next', kind: 'categorical', size: this.symbols }];
    this.history = Array.from({ length: this.streams }, () => []);
    this.pendingStart = new Array(this.streams).fill(true);
  }

  step(input: Float32Array, _side?: unknown, ignore?: ArrayLike<boolean>): void {
    const where = 'Ngram.step';
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
    const n = this.symbols;
    if (!(input instanceof Float32Array) || input.length !== this.streams * n)
      throw new ShapeMismatchError(`${where}: expected ${this.streams} × ${n} inputs, but got ${describeValue(input)}`);
    if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
    for (let r = 0; r < this.streams; r++) {
      let symbol = 0;
      for (let c = 1; c < n; c++) if (input[r * n + c]! > input[r * n + symbol]!) symbol = c;
      const history = this.history[r]!;
      if (this.pendingStart[r]) history.length = 0;
      // The first symbol of an episode has no context to be counted in.
      else if (!ignore?.[r]) this.count(history, symbol);
      history.push(symbol);
      if (history.length > this.order) history.shift();
    }
    this.pendingStart.fill(false);
    this.cached = null;
    this.steps++;
  }

  private count(context: readonly number[], symbol: number): void {
    const key = context.join(',');
    let row = this.counts.get(key);
    if (!row) {
      row = new Float64Array(this.symbols + 1);
      this.counts.set(key, row);
    }
    row[symbol]! += 1;
    row[this.symbols]! += 1;
  }

  /** P(c | context) for every symbol c, written into `out` at `offset`. */
  private probabilities(context: readonly number[], out: Float32Array, offset: number): void {
    const n = this.symbols;
    const row = this.counts.get(context.join(','));
    const total = row ? row[n]! : 0;
    for (let c = 0; c < n; c++) out[offset + c] = ((row ? row[c]! : 0) + 1) / (total + n);
  }

  readPredictions(): Float32Array[] {
    if (this.cached) return this.cached;
    const n = this.symbols;
    const out = new Float32Array(this.streams * n);
    for (let r = 0; r < this.streams; r++) this.probabilities(this.history[r]!, out, r * n);
    this.cached = [out];
    return this.cached;
  }

  startEpisode(rows?: readonly number[]): void {
    for (const r of rows ?? this.pendingStart.map((_, i) => i)) this.pendingStart[r] = true;
  }

  endEpisode(): void {
    this.startEpisode();
  }

  dispose(): void {
    this.disposed = true;
    this.counts.clear();
  }
}
