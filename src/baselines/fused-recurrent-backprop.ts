// Backpropagation through time written against the Engine interface, for comparisons only: the
// architecture, options and update schedule of RecurrentBackprop (recurrent-backprop.ts), with the
// gradients in closed form instead of tfjs autodiff, so that on the fused engine it runs on the
// same kernels as target propagation and the speed ratio between the two compares methods, not
// engines. Every S completed steps the window of the last K steps is run again from its stored
// starting state and one optimiser step is taken on the losses of the new steps:
//   forward  p[l,t] = h[l,t−1] ⊙ c_t (c_t = 0 at an episode start);  h[l,t] = act(h[l−1,t]·W_l + p[l,t]·U_l + b_l)
//   readout  y_m = h[L,t]·V_m + c_m (softmax for a categorical modality); loss = (1/B) Σ_fresh t, m present
//            cross-entropy, or ½‖y − target‖²: dy = (softmax − target) or (y − target), per present row, / B
//   backward dh[L,t] = Σ_m dy_m·V_mᵀ;  δ[l,t] = (dh[l,t] + δ[l+1,t]·W_{l+1}ᵀ + (δ[l,t+1]·U_lᵀ) ⊙ c_{t+1}) ⊙ act′
//            ΔW_l = Σ_t h[l−1,t]ᵀ·δ[l,t], ΔU_l = Σ_t p[l,t]ᵀ·δ[l,t], Δb_l = Σ_t δ[l,t]   (Werbos 1990)
// The per-step deltas are stacked so that each weight gradient is one product over the window.

import type { SideBatch } from '../learner/side-batch.js';
import { type Engine, UNITS, type Units, engineFor, glorotUniform, orthogonal, unitMean } from '../math/index.js';
import { type GradientPair, type LocalOptimizer, createOptimizer } from '../optim/local-optimizer.js';
import { choiceOption, numberOption } from '../options.js';
import { Rng } from '../random.js';
import type { RecurrentBackpropOptions } from './recurrent-backprop.js';
import { resolveBackpropOptions } from './backprop-common.js';
import { WindowedBackprop } from './windowed-backprop.js';

type M = unknown;

export interface FusedRecurrentBackpropOptions extends RecurrentBackpropOptions {
  /** The engine the gradients run on; default 'fused' (the kernels target propagation uses). */
  readonly engine?: 'fused' | 'tfjs';
}

/** d act / d pre written through the output h (sign units: zero, as autodiff of sign gives). */
function slope(e: Engine<M>, h: M, units: Units): M | null {
  switch (units) {
    case 'tanh':
      return e.sub(1, e.square(h));
    case 'sigmoid':
    case 'binary':
      return e.mul(h, e.sub(1, h));
    case 'relu':
      return e.above(h, 0);
    case 'linear':
      return null;
    case 'sign':
      return e.zeros(e.rows(h), e.cols(h));
  }
}

export class FusedRecurrentBackprop extends WindowedBackprop<M> {
  private readonly weights: M[] = [];
  private readonly recurrent: M[] = [];
  private readonly biases: M[] = [];
  private readonly units: Units[] = [];
  private readonly readouts: M[];
  private readonly readoutBiases: M[];
  private readonly optimizer: LocalOptimizer<M>;
  private state: M[];
  private predictions: M[] = [];

  constructor(options: FusedRecurrentBackpropOptions) {
    const where = 'FusedRecurrentBackprop';
    const resolved = resolveBackpropOptions(where, options, ['engine']);
    const engine = choiceOption(where, 'engine', options.engine, 'fused', ['fused', 'tfjs'] as const);
    const e = engineFor(engine, resolved.streams, where);
    super(e, resolved);
    const rng = new Rng(resolved.seed);
    // Drawn in RecurrentBackprop's order, so that the same seed gives the same initial weights.
    let below = this.input.size;
    (options.layers ?? [64]).forEach((raw, l) => {
      const spec = typeof raw === 'number' ? { size: raw } : raw;
      const size = numberOption(where, `layers[${l}].size`, spec.size, NaN, { integer: true, min: 1 });
      this.units.push(choiceOption(where, `layers[${l}].units`, spec.units, 'tanh', UNITS));
      this.weights.push(e.parameter(glorotUniform(below, size, rng), below, size));
      this.recurrent.push(e.parameter(orthogonal(size, size, rng), size, size));
      this.biases.push(e.zerosParameter(1, size));
      below = size;
    });
    this.readouts = this.modalities.map((m) => e.parameter(glorotUniform(below, m.size, rng), below, m.size));
    this.readoutBiases = this.modalities.map((m) => e.zerosParameter(1, m.size));
    this.optimizer = createOptimizer(e, options.optimizer, `${where}.optimizer`);
    this.state = this.weights.map((w) => e.zeros(this.streams, e.cols(w)));
  }

  private get parameters(): M[] {
    return [...this.weights, ...this.recurrent, ...this.biases, ...this.readouts, ...this.readoutBiases];
  }

  /** One step up the layers from `before`: per layer the masked context p, and the code h. */
  private forward(x: M, continues: M, before: readonly M[]): { contexts: M[]; codes: M[] } {
    const e = this.e;
    let below = x;
    const contexts: M[] = [];
    const codes = before.map((h, l) => {
      const context = e.mul(h, continues);
      const pre = e.add(
        e.add(e.matMul(below, this.weights[l]!), e.matMul(context, this.recurrent[l]!)),
        this.biases[l]!,
      );
      contexts.push(context);
      below = unitMean(e, pre, this.units[l]!);
      return below;
    });
    return { contexts, codes };
  }

  private readout(top: M, m: number): M {
    const e = this.e;
    const logits = e.add(e.matMul(top, this.readouts[m]!), this.readoutBiases[m]!);
    return this.modalities[m]!.kind === 'categorical' ? e.activate(logits, 'softmax') : logits;
  }

  step(input: Float32Array, side?: SideBatch, ignore?: ArrayLike<boolean>): void {
    const where = 'FusedRecurrentBackprop.step';
    const { own, continues } = this.begin(where, input, side, ignore);
    const B = this.streams;
    const e = this.e;
    const before = this.state;
    const record = e.scope(() => {
      const x = e.matrix(input, B, this.input.size);
      const cont = e.matrix(continues, B, 1);
      const { codes } = this.forward(x, cont, before);
      const top = codes[codes.length - 1]!;
      return { x, cont, codes, predictions: this.modalities.map((_, m) => this.readout(top, m)) };
    });
    this.state = record.codes;
    e.free(this.predictions);
    this.predictions = record.predictions;
    this.remember(record.x, record.cont, before, own);
  }

  /** Runs the window again from its starting state, backpropagates, and takes one optimiser step. */
  protected learn(): void {
    const steps = this.history;
    const fresh = steps.map((s, i) => (s.complete && !s.learned ? i : -1)).filter((i) => i >= 0);
    // Steps without any side information carry no loss: no pass is needed for them.
    if (!fresh.some((i) => steps[i]!.side.present.some((p) => p.some((v) => v > 0)))) {
      for (const i of fresh) steps[i]!.learned = true;
      return;
    }
    const e = this.e;
    const B = this.streams;
    const L = this.weights.length;
    // Steps after the last fresh one carry no loss and nothing flows back from them.
    const end = fresh[fresh.length - 1]! + 1;
    e.scope(() => {
      const belows: M[][] = this.weights.map(() => []);
      const contexts: M[][] = this.weights.map(() => []);
      const codes: M[][] = this.weights.map(() => []);
      let state: readonly M[] = steps[0]!.before;
      for (let i = 0; i < end; i++) {
        const s = steps[i]!;
        const run = this.forward(s.input, s.continues, state);
        for (let l = 0; l < L; l++) {
          belows[l]!.push(l === 0 ? s.input : run.codes[l - 1]!);
          contexts[l]!.push(run.contexts[l]!);
          codes[l]!.push(run.codes[l]!);
        }
        state = run.codes;
      }
      const pairs: GradientPair<M>[] = [];
      // The readouts, over every fresh step at once; their deltas reach each step's top code.
      const tops = e.concatRows(fresh.map((i) => codes[L - 1]![i]!));
      let dTops: M | null = null;
      this.modalities.forEach((m, k) => {
        const present = new Float32Array(fresh.length * B);
        const scale = new Float32Array(fresh.length * B);
        const targets = new Float32Array(fresh.length * B * m.size);
        fresh.forEach((i, f) => {
          const side = steps[i]!.side;
          targets.set(side.values[k]!, f * B * m.size);
          for (let r = 0; r < B; r++) {
            const on = side.present[k]![r]!;
            present[f * B + r] = on / B;
            // d(−Σ y log softmax)/d logits = softmax · Σy − y.
            let mass = 0;
            for (let j = 0; j < m.size; j++) mass += side.values[k]![r * m.size + j]!;
            scale[f * B + r] = (m.kind === 'categorical' ? mass * on : on) / B;
          }
        });
        const rows = fresh.length * B;
        const y = e.matrix(targets, rows, m.size);
        const out = this.readout(tops, k);
        const dy = e.sub(e.mul(out, e.matrix(scale, rows, 1)), e.mul(y, e.matrix(present, rows, 1)));
        pairs.push([this.readouts[k]!, e.matMulAT(tops, dy)], [this.readoutBiases[k]!, e.sumRows(dy)]);
        const back = e.matMulBT(dy, this.readouts[k]!);
        dTops = dTops ? e.add(dTops, back) : back;
      });
      const fromReadout = e.splitRows(dTops!, fresh.length);
      const dTop: (M | null)[] = new Array<M | null>(end).fill(null);
      fresh.forEach((i, f) => (dTop[i] = fromReadout[f]!));
      // Back through the layers and the window, newest step first.
      const deltas: M[][] = this.weights.map(() => []);
      const fromFuture: (M | null)[] = new Array<M | null>(L).fill(null);
      for (let i = end - 1; i >= 0; i--) {
        let fromAbove: M | null = dTop[i] ?? null;
        for (let l = L - 1; l >= 0; l--) {
          const future = fromFuture[l];
          const dh = fromAbove && future ? e.add(fromAbove, future) : (fromAbove ?? future);
          const s = slope(e, codes[l]![i]!, this.units[l]!);
          const delta = dh === null ? e.zeros(B, e.cols(this.biases[l]!)) : s ? e.mul(dh, s) : dh;
          deltas[l]![i] = delta;
          fromAbove = l > 0 ? e.matMulBT(delta, this.weights[l]!) : null;
          fromFuture[l] = i > 0 ? e.mul(e.matMulBT(delta, this.recurrent[l]!), steps[i]!.continues) : null;
        }
      }
      for (let l = 0; l < L; l++) {
        const delta = e.concatRows(deltas[l]!);
        pairs.push(
          [this.weights[l]!, e.matMulAT(e.concatRows(belows[l]!), delta)],
          [this.recurrent[l]!, e.matMulAT(e.concatRows(contexts[l]!), delta)],
          [this.biases[l]!, e.sumRows(delta)],
        );
      }
      this.optimizer.apply(pairs);
      return null;
    });
    for (const i of fresh) steps[i]!.learned = true;
  }

  readPredictions(): Float32Array[] {
    return this.predictions.map((p) => this.e.read(p));
  }

  dispose(): void {
    if (!this.release()) return;
    this.e.free([...this.state, ...this.predictions, ...this.parameters]);
    this.optimizer.dispose();
  }
}
