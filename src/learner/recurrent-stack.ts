// A recurrent stack of denoising auto-encoders that learns online, one step at a time, by
// target propagation through time (SPEC §1–2). Each layer reads the layer below and its own
// previous code (its context), through a simple recurrence (denoising-layer.ts) or a gated cell
// (gated-layer.ts), per layer by `layers[i].cell`; the top reads the top code and the side
// modalities, among them the next observation, which is predicted before it arrives and then
// clamped as a target.
// One call of `step` per time step, for every stream of the batch at once:
//   1. the previous step's record receives this input as its `next` side information;
//   2. encode: h[l,t] = f_l(h[l−1,t], h[l,t−1]) (+ noise), kept in a window of the last K steps;
//   3. predict every side modality from h[L,t] (before anything is learned from this step);
//   4. every S completed steps: top targets for the new steps, one sweep down the layers and back
//      through the window (through-time.ts), local encoder updates toward the targets, denoising
//      updates of the decoders (with timeJacobian, the context decoders also learn L-DRL), updates
//      of the top auto-encoder and readout.
// Plain data in and out; matrices stay inside (kept in the window, freed as it slides).

import {
  DenoisingLayer,
  type DenoisingLayerConfig,
  type JacobianMatching,
  type LocalGradients,
} from './denoising-layer.js';
import { GatedLayer } from './gated-layer.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import { type Engine, type Units, engineFor } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import { type LocalOptimizer, createOptimizer, mergePairs } from '../optim/local-optimizer.js';
import { checkKeys, numberOption, booleanOption } from '../options.js';
import { Rng, type RngState, checkRngState } from '../random.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { CheckpointError, type CheckpointErrorCode } from '../errors.js';
import { stateArray, stateBoolean, stateFloats, stateInteger, stateRecord } from '../checkpoint/state-checks.js';
import { type SideBatch, concatSide, emptySide, sideMatrices } from './side-batch.js';
import {
  type LayerCell,
  type ResolvedStackOptions,
  type StackOptions,
  STACK_OPTION_KEYS,
  checkStackMemory,
  layerConfig,
  resolveStackOptions,
} from './stack-options.js';
import { targetsThroughTime } from './through-time.js';
import { Top } from './top.js';
import type { ReplayState } from './replay-rows.js';
import type { SequenceLearner } from './sequence-learner.js';
import { StepWindow, type StepRecord } from './step-window.js';

type M = unknown;

export interface RecurrentStackOptions extends StackOptions {
  /** What layer 1 reads each step: a categorical symbol (one-hot) or a continuous vector. */
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  /** Predict the next input (a side modality named 'next'); default true. */
  readonly predictNext?: boolean;
  /** K: steps kept for target propagation through time; default 8. */
  readonly window?: number;
  /** S: learn once every S completed steps; default 1. (Encoders default to adam at 0.0005.) */
  readonly updateEvery?: number;
  /** B: streams stepped together (rows of every matrix); default 1. */
  readonly streams?: number;
  /**
   * c: a displacement sent back in time never has a norm above c × the norm of the displacement
   * at the step it came from (per stream). The difference-form inverse amplifies as it goes back,
   * so without it the oldest steps of a long window get the largest, noisiest targets
   * (docs/experiments.md, rows 9 and 17). 0 turns the clipping off; default 1.
   */
  readonly timeClip?: number;
  /**
   * The top (readout and top auto-encoder) reads the current input beside the top code, so the
   * code need not re-learn what the input alone predicts; targets still move the code only.
   * Default false.
   */
  readonly inputSkip?: boolean;
  /**
   * Weight of an encoder's pull toward a target that came back in time only (a step older than
   * the pass's new steps), against 1 for the new steps' own targets from the top. Below 1, a long
   * window still carries credit back without drowning each step's own target in the targets of
   * the K − 1 steps after it (docs/experiments.md, row 23). Default 0.25.
   */
  readonly timeWeight?: number;
  /**
   * Weight of the layer-local difference reconstruction loss (L-DRL, Ernoult et al. 2022) in the
   * training of each layer's context decoder, the one that carries targets back in time: beside
   * reconstructing the previous code, the decoder learns from small perturbations of the layer's
   * own inputs and code to pass a displacement back as the transpose of the cell would. 0 turns it
   * off (the default); the configuration for sequences labelled at their end uses 1
   * (docs/experiments.md, rows 29–36). With adam the weight hardly matters above about 0.3.
   */
  readonly timeJacobian?: number;
  /** σ of the perturbations of `timeJacobian`; default 0.1. */
  readonly timeJacobianNoise?: number;
}

/** Everything a resumed stack needs to continue exactly as the saved one would have. */
export interface RecurrentStackState {
  readonly parameters: Float32Array[];
  readonly optimizers: OptimizerState[];
  readonly rng: RngState;
  readonly window: ReadonlyArray<{
    readonly index: number;
    readonly inputs: Array<[Float32Array, Float32Array]>;
    readonly codes: Float32Array[];
    /** Per layer: the mean a drawn code came from (null: a deterministic code); absent from older checkpoints. */
    readonly means?: (Float32Array | null)[];
    readonly continues: Float32Array;
    readonly side: SideBatch;
    readonly complete: boolean;
    readonly learned: boolean;
  }>;
  readonly predictions: Float32Array[];
  readonly pendingStart: boolean[];
  /** The top's replay rows, with option `top.replay` only. */
  readonly replay?: ReplayState;
  readonly steps: number;
  readonly updates: number;
}

export interface ResolvedRecurrentOptions extends ResolvedStackOptions {
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  readonly predictNext: boolean;
  readonly window: number;
  readonly updateEvery: number;
  readonly streams: number;
  readonly timeClip: number;
  readonly inputSkip: boolean;
  readonly timeWeight: number;
  readonly timeJacobian: number;
  readonly timeJacobianNoise: number;
}

/** Local losses of the last learning pass, read on request. */
export interface RecurrentLosses {
  readonly encoder: number[];
  readonly reconstruction: number[];
  readonly top: number | null;
  readonly readout: number | null;
}

/** Options of the recurrent stack beyond the shared stack options. */
export const RECURRENT_OPTION_KEYS = [
  'input',
  'predictNext',
  'window',
  'updateEvery',
  'streams',
  'timeClip',
  'inputSkip',
  'timeWeight',
  'timeJacobian',
  'timeJacobianNoise',
] as const;
const EXTRA_KEYS: readonly string[] = RECURRENT_OPTION_KEYS;

export function resolveRecurrentOptions(
  options: RecurrentStackOptions,
  where = 'RecurrentStack',
): ResolvedRecurrentOptions {
  checkKeys(where, options, [...STACK_OPTION_KEYS, ...EXTRA_KEYS]);
  const { input, predictNext, window, updateEvery, streams, timeClip, inputSkip, timeWeight, ...more } = options;
  const { timeJacobian, timeJacobianNoise, ...rest } = more;
  checkKeys(`${where}.input`, input, ['kind', 'size']);
  if (!input || (input.kind !== 'categorical' && input.kind !== 'continuous')) {
    throw new InvalidOptionError(
      `${where}: expected option "input" to be { kind: "categorical" | "continuous", size }, but got ` +
        `${describeValue(input)}`,
    );
  }
  const size = numberOption(`${where}.input`, 'size', input.size, NaN, {
    integer: true,
    min: input.kind === 'categorical' ? 2 : 1,
  });
  const base = resolveStackOptions(
    { layers: [64], unsupervisedWeight: 0, ...rest, optimizer: { learningRate: 0.0005, ...rest.optimizer } },
    where,
    EXTRA_KEYS,
    'auto',
    'gated',
  );
  if (!['pseudo-label', 'density'].includes(base.top.unsupervisedTarget))
    throw new InvalidOptionError(
      `${where}: expected option "unsupervisedTarget" to be "pseudo-label" or "density" (a prior target is for ` +
        `feed-forward stacks: its fit is not part of a recurrent stack's saved state), but got ` +
        `"${base.top.unsupervisedTarget}"`,
    );
  const next = booleanOption(where, 'predictNext', predictNext, true);
  if (base.modalities.some((m) => m.name === 'next'))
    throw new InvalidOptionError(
      `${where}: expected no side modality named "next" (it is the predicted next input), but got one`,
    );
  if (!next && base.modalities.length === 0) {
    throw new InvalidOptionError(
      `${where}: expected something to predict, a side modality or predictNext: true, but got neither`,
    );
  }
  const K = numberOption(where, 'window', window, 8, { integer: true, min: 1 });
  const B = numberOption(where, 'streams', streams, 1, { integer: true, min: 1 });
  checkStackMemory(where, base, { input: size, window: K, streams: B });
  return {
    ...base,
    modalities: next ? [...base.modalities, { name: 'next', kind: input.kind, size }] : base.modalities,
    input: { kind: input.kind, size },
    predictNext: next,
    window: K,
    updateEvery: numberOption(where, 'updateEvery', updateEvery, 1, { integer: true, min: 1, max: K }),
    streams: B,
    timeClip: numberOption(where, 'timeClip', timeClip, 1, { min: 0 }),
    inputSkip: booleanOption(where, 'inputSkip', inputSkip, false),
    timeWeight: numberOption(where, 'timeWeight', timeWeight, 0.25, { min: 0, max: 1 }),
    timeJacobian: numberOption(where, 'timeJacobian', timeJacobian, 0, { min: 0 }),
    timeJacobianNoise: numberOption(where, 'timeJacobianNoise', timeJacobianNoise, 0.1, { min: 1e-4 }),
  };
}

export class RecurrentStack implements SequenceLearner {
  readonly options: ResolvedRecurrentOptions;
  readonly engine: Engine<M>;
  readonly layers: DenoisingLayer<M>[];
  readonly top: Top<M>;
  private readonly window: StepWindow<M>;
  private readonly encoderOptimizers: LocalOptimizer<M>[];
  private readonly decoderOptimizers: LocalOptimizer<M>[];
  /** The context decoders' L-DRL term (`timeJacobian`), or none. */
  private readonly jacobian: JacobianMatching | undefined;
  private readonly topOptimizer: LocalOptimizer<M>;
  private readonly readoutOptimizer: LocalOptimizer<M>;
  private readonly rng: Rng;
  private predictions: M[] = [];
  private lastLosses: M[] = [];
  private lastTargets: (M | null)[] = [];
  /** Index of the step the last targets belong to (the newest step of the last pass), or -1. */
  private lastTargetIndex = -1;
  private pendingStart: boolean[];
  private disposed = false;
  /** Steps taken and learning passes made since construction. */
  steps = 0;
  updates = 0;

  constructor(options: RecurrentStackOptions) {
    const where = 'RecurrentStack';
    this.options = resolveRecurrentOptions(options, where);
    const resolved = this.options;
    this.engine = engineFor(resolved.engine, resolved.streams, where);
    const e = this.engine;
    this.rng = new Rng(resolved.seed);
    const inputUnits: Units = resolved.input.kind === 'categorical' ? 'sigmoid' : 'linear';
    let below: { size: number; units: Units } = { size: resolved.input.size, units: inputUnits };
    this.layers = resolved.layers.map((spec) => {
      const context = { size: spec.size, units: spec.units, init: 'orthogonal' as const };
      const layer = layerOf(spec, e, layerConfig(resolved, spec, [below, context]), this.rng);
      below = { size: spec.size, units: spec.units };
      return layer;
    });
    const last = resolved.layers[resolved.layers.length - 1]!;
    this.top = new Top(
      e,
      {
        ...resolved.top,
        codeSize: last.size + (resolved.inputSkip ? resolved.input.size : 0),
        codeUnits: last.units,
        modalities: resolved.modalities,
        target: resolved.topTarget,
      },
      this.rng,
    );
    this.encoderOptimizers = this.layers.map(() => createOptimizer(e, resolved.optimizer));
    this.decoderOptimizers = this.layers.map(() => createOptimizer(e, resolved.decoderOptimizer));
    this.jacobian =
      resolved.timeJacobian > 0
        ? { part: 1, weight: resolved.timeJacobian, noise: resolved.timeJacobianNoise }
        : undefined;
    this.topOptimizer = createOptimizer(e, resolved.decoderOptimizer);
    this.readoutOptimizer = createOptimizer(e, resolved.readoutOptimizer);
    this.window = new StepWindow(
      e,
      resolved.window,
      resolved.layers.map((l) => l.size),
      resolved.streams,
    );
    this.pendingStart = new Array(resolved.streams).fill(true);
  }

  get modalities(): readonly ModalitySpec[] {
    return this.options.modalities;
  }

  get predictNext(): boolean {
    return this.options.predictNext;
  }

  /** Side modalities the caller provides (all but 'next'). */
  get sideModalities(): readonly ModalitySpec[] {
    return this.options.predictNext ? this.modalities.slice(0, -1) : this.modalities;
  }

  get parameters(): M[] {
    return [...this.layers.flatMap((l) => l.parameters), ...this.top.parameters];
  }

  private assertLive(where: string): void {
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live stack, but it has been disposed`);
  }

  /**
   * One time step for every stream. `input` is row-major [streams, input size] (one-hot rows for
   * a categorical input); `side` carries this step's side modalities (labels), missing where
   * absent. Bad input throws before anything changes.
   */
  step(input: Float32Array, side?: SideBatch, ignore?: ArrayLike<boolean>): void {
    const where = 'RecurrentStack.step';
    this.assertLive(where);
    const { streams: B, input: spec } = this.options;
    if (!(input instanceof Float32Array) || input.length !== B * spec.size) {
      throw new ShapeMismatchError(
        `${where}: expected a Float32Array of ${B} × ${spec.size} inputs, but got ${describeValue(input)}`,
      );
    }
    for (let i = 0; i < input.length; i++)
      if (!Number.isFinite(input[i]!))
        throw new NonFiniteError(
          `${where}: expected finite inputs, but got ${input[i]} at stream ${Math.floor(i / spec.size)}, index ` +
            `${i % spec.size}`,
        );
    const own = side ?? emptySide(this.sideModalities, B);
    if (own.rows !== B || own.values.length !== this.sideModalities.length) {
      throw new ShapeMismatchError(
        `${where}: expected side information for ${B} streams and ${this.sideModalities.length} modalities, but got ` +
          `${own.rows} and ${own.values.length}`,
      );
    }
    const e = this.engine;
    const continues = Float32Array.from(this.pendingStart, (start) => (start ? 0 : 1));
    this.pendingStart.fill(false);
    if (this.options.predictNext) this.window.attachNext(input, continues, spec.size, ignore);
    const full: SideBatch = this.options.predictNext
      ? concatModalities(own, emptySide([this.modalities[this.modalities.length - 1]!], B))
      : own;
    const record = e.scope(() => {
      const x = e.matrix(input, B, spec.size);
      const cont = e.matrix(continues, B, 1);
      const inputs: [M, M][] = [];
      const codes: M[] = [];
      const means: (M | null)[] = [];
      let below = x;
      this.layers.forEach((layer, l) => {
        const context = e.mul(this.window.context(l), cont);
        const { code, mean } = layer.encode([below, context], true);
        inputs.push([below, context]);
        codes.push(code);
        means.push(layer.stochastic ? mean : null);
        below = code;
      });
      const predictions = this.top.predict(this.topInput(codes[codes.length - 1]!, x));
      return { x, cont, inputs, codes, means, predictions };
    });
    e.free(this.predictions);
    this.predictions = record.predictions.map((p) => e.keep(p));
    // A completed step about to slide out of the window is learned from before it goes.
    const oldest = this.window.records()[0];
    if (this.window.records().length === this.options.window && oldest?.complete && !oldest.learned) this.learn();
    this.window.push({
      index: this.steps,
      inputs: record.inputs,
      codes: record.codes,
      means: record.means,
      continues: record.cont,
      continuesAll: !continues.includes(0),
      side: full,
      complete: !this.options.predictNext,
      learned: false,
    });
    this.steps++;
    if (this.window.unlearned() >= this.options.updateEvery) this.learn();
  }

  /**
   * Side information that arrives late, for the step numbered `index` (0 for the first step
   * taken): merged into that step where `side` has it, and the step is learned (again) at the
   * next pass (at once unless `defer`: then at the next step's pass). Returns false, changing
   * nothing, when the step has left the window.
   */
  attachSide(index: number, side: SideBatch, defer = false): boolean {
    const where = 'RecurrentStack.attachSide';
    this.assertLive(where);
    if (side.rows !== this.options.streams || side.values.length !== this.sideModalities.length) {
      throw new ShapeMismatchError(
        `${where}: expected side information for ${this.options.streams} streams and ${this.sideModalities.length} ` +
          `modalities, but got ${side.rows} and ${side.values.length}`,
      );
    }
    const step = this.window.find(index);
    if (!step) return false;
    this.sideModalities.forEach((m, k) => {
      for (let r = 0; r < side.rows; r++) {
        if (!side.present[k]![r]) continue;
        step.side.values[k]!.set(side.values[k]!.subarray(r * m.size, (r + 1) * m.size), r * m.size);
        step.side.present[k]![r] = 1;
      }
    });
    step.learned = false;
    if (!defer && step.complete && this.window.unlearned() >= this.options.updateEvery) this.learn(where);
    return true;
  }

  /** Marks the streams in `rows` (default all) as starting a new episode at their next step. */
  startEpisode(rows?: readonly number[]): void {
    this.assertLive('RecurrentStack.startEpisode');
    for (const r of rows ?? this.pendingStart.map((_, i) => i)) this.pendingStart[r] = true;
  }

  /**
   * Ends the episode of every stream: the last step is complete (no next input will come), what
   * is not learned yet is learned now, and the next step starts a new episode.
   */
  endEpisode(): void {
    this.assertLive('RecurrentStack.endEpisode');
    this.window.completeAll();
    if (this.window.unlearned() > 0) this.learn('RecurrentStack.endEpisode');
    this.startEpisode();
  }

  /**
   * Refuses to learn from non-finite codes, before any update lets NaN weights spread further.
   * One [1, 1] read per pass: the sum of the fresh steps' codes (every layer) and of the last
   * pass's losses is finite exactly when they all are (short of an overflow, refused too). The
   * losses catch a NaN weight that no code shows yet: the fused products skip blocks of zero
   * inputs, so a NaN weight read only by zero inputs leaves the codes finite, but not the
   * decoder's reconstruction. Only on failure are the parts read, to name the layer and step.
   */
  private checkFinite(where: string, fresh: readonly StepRecord<M>[]): void {
    const e = this.engine;
    let sum = e.zeros(1, 1);
    for (const step of fresh) for (const code of step.codes) sum = e.add(sum, e.sumAll(code));
    for (const loss of this.lastLosses) sum = e.add(sum, loss);
    if (Number.isFinite(e.read(sum)[0]!)) return;
    const advice = '(the weights have diverged; lower the step size)';
    for (const step of fresh) {
      for (let l = 0; l < this.layers.length; l++) {
        const bad = e.read(step.codes[l]!).find((v) => !Number.isFinite(v));
        if (bad !== undefined)
          throw new NonFiniteError(
            `${where}: expected finite codes, but layer ${l + 1}'s code at step ${step.index} is ${bad} ${advice}`,
          );
      }
    }
    const names = [
      ...this.layers.flatMap((_, l) => [`layer ${l + 1}'s encoder loss`, `layer ${l + 1}'s decoder loss`]),
      "the top auto-encoder's loss",
      "the readout's loss",
    ];
    const k = this.lastLosses.findIndex((m) => !Number.isFinite(e.read(m)[0]!));
    const what =
      k >= 0 ? `${names[k]} at the last learning pass is ${e.read(this.lastLosses[k]!)[0]}` : 'they overflow';
    throw new NonFiniteError(`${where}: expected finite codes and losses, but ${what} ${advice}`);
  }

  /** One learning pass over the window: top targets for the new steps, the sweep, the updates. */
  private learn(where = 'RecurrentStack.step'): void {
    const e = this.engine;
    const steps = this.window.records();
    const fresh = steps.map((s, i) => (s.complete && !s.learned ? i : -1)).filter((i) => i >= 0);
    if (fresh.length === 0) return;
    const B = this.options.streams;
    const L = this.layers.length;
    e.scope(() =>
      this.checkFinite(
        where,
        fresh.map((i) => steps[i]!),
      ),
    );
    e.free(this.lastLosses);
    e.free(this.lastTargets.filter((m): m is M => m !== null));
    const kept = e.scope(() => {
      const side = sideMatrices(e, this.modalities, concatSide(fresh.map((i) => steps[i]!.side)));
      const topCodes = this.topInput(
        e.concatRows(fresh.map((i) => steps[i]!.codes[L - 1]!)),
        e.concatRows(fresh.map((i) => steps[i]!.inputs[0]![0])),
      );
      // The top's predictions, made once: the target and the readout's gradients both read them.
      const predicted = this.top.predict(topCodes);
      const topTargets = this.top.target(topCodes, side, this.options.targetForm, predicted);
      // With the input skip, only the code part of the top's displacement is a target.
      const shift = e.sub(topTargets, topCodes);
      const H = this.layers[L - 1]!.size;
      const shifts = e.splitRows(this.options.inputSkip ? e.sliceCols(shift, 0, H) : shift, fresh.length);
      const displacement: (M | null)[] = steps.map(() => null);
      fresh.forEach((i, k) => (displacement[i] = shifts[k]!));
      const targets = targetsThroughTime(e, this.layers, steps, displacement, this.options.targetForm, {
        clip: this.options.timeClip,
      });
      const losses: M[] = [];
      this.layers.forEach((layer, l) => {
        const rows = steps.map((_, i) => i).filter((i) => targets[l]![i]);
        const freshInputs = fresh.map((i) => steps[i]!.inputs[l]!);
        const freshParts = [e.concatRows(freshInputs.map((p) => p[0])), e.concatRows(freshInputs.map((p) => p[1]))];
        // Where the layer can, its fit runs the decoder's corrupted rows forward too (one pass at
        // the same weights, the same values as encodeMean): the corruption is drawn first, as
        // decoderGradients would draw it, and the decoder is given the code.
        const join = rows.length > 0 && layer.joinsForward;
        const corrupted = join ? layer.corruptedInputs(freshParts) : null;
        let enc: LocalGradients<M> | null = null;
        if (rows.length > 0) {
          const parts = [
            e.concatRows(rows.map((i) => steps[i]!.inputs[l]![0])),
            e.concatRows(rows.map((i) => steps[i]!.inputs[l]![1])),
          ];
          enc = layer.encoderGradients(
            parts,
            null,
            e.concatRows(rows.map((i) => this.encoderTarget(l, steps[i]!, targets[l]![i]!))),
            this.timeWeights(rows, fresh),
            B,
            corrupted ?? undefined,
          );
        }
        const prepared = corrupted && enc?.codes ? { corrupted, hidden: enc.codes } : undefined;
        const dec = layer.decoderGradients(freshParts, B * fresh.length, this.jacobian, prepared);
        const encoderPairs = enc ? mergePairs(e, enc.pairs, dec.encoderPairs) : dec.encoderPairs;
        const encoderLoss = enc ? enc.loss : e.zeros(1, 1);
        if (encoderPairs.length) this.encoderOptimizers[l]!.apply(encoderPairs);
        this.decoderOptimizers[l]!.apply(dec.pairs);
        losses.push(encoderLoss, dec.loss);
      });
      const topGrads = this.top.gradients(topCodes, side, predicted);
      if (topGrads.autoencoder.length) this.topOptimizer.apply(topGrads.autoencoder);
      if (topGrads.readout.length) this.readoutOptimizer.apply(topGrads.readout);
      losses.push(topGrads.loss ?? e.zeros(1, 1), topGrads.readoutLoss ?? e.zeros(1, 1));
      const newest = fresh[fresh.length - 1]!;
      return { losses, targets: targets.map((t) => t[newest] ?? null), index: steps[newest]!.index };
    });
    this.lastTargetIndex = kept.index;
    this.lastLosses = kept.losses.map((m) => e.keep(m));
    this.lastTargets = kept.targets.map((m) => (m ? e.keep(m) : null));
    for (const i of fresh) steps[i]!.learned = true;
    this.updates++;
  }

  /** What layer `l`'s encoder moves toward at `step` given its target: on the mean for drawn codes (encoderTarget). */
  private encoderTarget(l: number, step: StepRecord<M>, target: M): M {
    const mean = step.means[l];
    return mean ? this.layers[l]!.encoderTarget(mean, step.codes[l]!, target) : target;
  }

  /** Per row of the encoders' batch: 1 for a new step, `timeWeight` for an older one (undefined: all 1). */
  private timeWeights(rows: readonly number[], fresh: readonly number[]): M | undefined {
    const w = this.options.timeWeight;
    if (w === 1) return undefined;
    const B = this.options.streams;
    const values = new Float32Array(rows.length * B);
    rows.forEach((i, k) => values.fill(fresh.includes(i) ? 1 : w, k * B, (k + 1) * B));
    return this.engine.matrix(values, rows.length * B, 1);
  }

  /** What the top reads: the top code, and with `inputSkip` the current input beside it. */
  private topInput(code: M, input: M): M {
    return this.options.inputSkip ? this.engine.concatCols([code, input]) : code;
  }

  /** The predictions made at the last step, per modality: probabilities or values, [streams × size]. */
  readPredictions(): Float32Array[] {
    this.assertLive('RecurrentStack.readPredictions');
    return this.predictions.map((p) => this.engine.read(p));
  }

  /** Losses of the last learning pass (a synchronous read). */
  readLosses(): RecurrentLosses | null {
    if (this.lastLosses.length === 0) return null;
    const v = this.lastLosses.map((m) => this.engine.read(m)[0]!);
    const L = this.layers.length;
    return {
      encoder: v.filter((_, i) => i < 2 * L && i % 2 === 0),
      reconstruction: v.filter((_, i) => i < 2 * L && i % 2 === 1),
      top: this.top.usesAutoEncoder ? v[2 * L]! : null,
      readout: this.top.readout ? v[2 * L + 1]! : null,
    };
  }

  /**
   * Per layer, stream `r`'s newest code: the context its next step reads. null where none was
   * taken, or where that step starts an episode (its context is zeros) unless `acrossEpisodes`.
   */
  readContext(r: number, acrossEpisodes = false): Float32Array[] | null {
    this.assertLive('RecurrentStack.readContext');
    const newest = this.window.newest();
    if (!newest || (this.pendingStart[r] && !acrossEpisodes)) return null;
    return this.layers.map((layer, l) =>
      this.engine.read(newest.codes[l]!).slice(r * layer.size, (r + 1) * layer.size),
    );
  }

  /**
   * Stream `r`'s newest top code as the top reads it (with `inputSkip`, the input beside it), or
   * null before any step or at the start of an episode (unless `ended`: then the last step of the
   * episode that ended is still read).
   */
  newestTopCode(r = 0, ended = false): Float32Array | null {
    this.assertLive('RecurrentStack.newestTopCode');
    const newest = this.window.newest();
    if (!newest || (this.pendingStart[r] && !ended)) return null;
    const code = this.engine.read(newest.codes[newest.codes.length - 1]!);
    const H = this.layers[this.layers.length - 1]!.size;
    const own = code.slice(r * H, (r + 1) * H);
    if (!this.options.inputSkip) return own;
    const n = this.options.input.size;
    const x = this.engine.read(newest.inputs[0]![0]).slice(r * n, (r + 1) * n);
    const out = new Float32Array(H + n);
    out.set(own);
    out.set(x, H);
    return out;
  }

  /** Per layer, stream 0: the newest code (a synchronous read of the codes only, cheap enough per step). */
  readCodes(): Float32Array[] {
    this.assertLive('RecurrentStack.readCodes');
    const newest = this.window.newest();
    if (!newest) return [];
    return this.layers.map((layer, l) => this.engine.read(newest.codes[l]!).slice(0, layer.size));
  }

  /**
   * Per layer, stream 0: the newest code, the last target and the index of the step it belongs
   * to (the newest step of the last learning pass, which lags the newest code), and the
   * reconstruction of its input.
   */
  readLayers(): {
    code: Float32Array;
    target: Float32Array | null;
    targetIndex: number | null;
    reconstruction: Float32Array;
    input: Float32Array;
  }[] {
    this.assertLive('RecurrentStack.readLayers');
    const newest = this.window.newest();
    if (!newest) return [];
    const e = this.engine;
    return e.scope(() =>
      this.layers.map((layer, l) => {
        const [below] = newest.inputs[l]!;
        const width = layer.config.inputs[0]!.size;
        const first = (m: M, cols: number): Float32Array => e.read(m).slice(0, cols);
        return {
          code: first(newest.codes[l]!, layer.size),
          target: this.lastTargets[l] ? first(this.lastTargets[l]!, layer.size) : null,
          targetIndex: this.lastTargets[l] ? this.lastTargetIndex : null,
          reconstruction: first(layer.decodePart(newest.codes[l]!, 0), width),
          input: first(below, width),
        };
      }),
    );
  }

  /** Parameters per optimiser, in the order `getState` saves them. */
  private optimizerGroups(): [LocalOptimizer<M>, M[]][] {
    return [
      ...this.layers.map((l, i): [LocalOptimizer<M>, M[]] => [this.encoderOptimizers[i]!, l.encoderParameters]),
      ...this.layers.map((l, i): [LocalOptimizer<M>, M[]] => [this.decoderOptimizers[i]!, l.decoderParameters]),
      [this.topOptimizer, this.top.autoencoder.parameters],
      [this.readoutOptimizer, this.top.readout?.parameters ?? []],
    ];
  }

  /** The full state as plain data (a synchronous read of every matrix). */
  getState(): RecurrentStackState {
    this.assertLive('RecurrentStack.getState');
    const e = this.engine;
    const replay = this.top.getReplayState();
    return {
      parameters: this.parameters.map((p) => e.read(p)),
      optimizers: this.optimizerGroups().map(([o, params]) => o.getState(params)),
      rng: this.rng.getState(),
      window: this.window.records().map((r) => ({
        index: r.index,
        inputs: r.inputs.map(([b, c]): [Float32Array, Float32Array] => [e.read(b), e.read(c)]),
        codes: r.codes.map((c) => e.read(c)),
        means: r.means.map((m) => (m ? e.read(m) : null)),
        continues: e.read(r.continues),
        side: {
          rows: r.side.rows,
          values: r.side.values.map((v) => v.slice()),
          present: r.side.present.map((v) => v.slice()),
        },
        complete: r.complete,
        learned: r.learned,
      })),
      predictions: this.predictions.map((p) => e.read(p)),
      pendingStart: [...this.pendingStart],
      steps: this.steps,
      updates: this.updates,
      ...(replay && { replay }),
    };
  }

  /**
   * Checks a state for this stack before anything is written, and returns it typed: every part of
   * the right type and size (ERR_CHECKPOINT_CORRUPT naming the part; sizes of another stack are
   * `sizeCode`, ERR_CHECKPOINT_MISMATCH by default), every matrix finite (ERR_NON_FINITE), the
   * counters integers >= 0, the window no longer than this stack's.
   */
  checkState(state: unknown, sizeCode: CheckpointErrorCode = 'ERR_CHECKPOINT_MISMATCH'): RecurrentStackState {
    const where = 'RecurrentStack.setState';
    const e = this.engine;
    const size = (m: M): number => e.rows(m) * e.cols(m);
    const sized = (path: string, value: unknown, length: number): Float32Array => {
      if (value instanceof Float32Array && value.length !== length)
        throw new CheckpointError(
          sizeCode,
          `${where}: expected ${path} to be a Float32Array of ${length}, but got ${describeValue(value)}`,
        );
      return stateFloats(where, path, value, length);
    };
    const counted = (path: string, value: unknown, length: number): unknown[] => {
      if (Array.isArray(value) && value.length !== length)
        throw new CheckpointError(
          sizeCode,
          `${where}: expected ${path} to be an array of ${length}, but got ${describeValue(value)}`,
        );
      return stateArray(where, path, value, length);
    };
    const record = stateRecord(where, 'the state', state, [
      'parameters',
      'optimizers',
      'rng',
      'window',
      'predictions',
      'pendingStart',
      'steps',
      'updates',
      ...(this.top.replays ? ['replay'] : []),
    ]);
    const replay = this.top.replays ? this.top.checkReplayState(record.replay, where) : undefined;
    const params = this.parameters;
    const parameters = counted('parameters', record.parameters, params.length).map((v, i) =>
      sized(`parameters[${i}]`, v, size(params[i]!)),
    );
    const groups = this.optimizerGroups();
    const saved = counted('optimizers', record.optimizers, groups.length);
    const optimizers = groups.map(([o, ps], i) => o.checkState(ps, saved[i], where, `optimizers[${i}]`, sizeCode));
    const rng = checkRngState(record.rng, where, 'rng');
    const steps = stateInteger(where, 'steps', record.steps);
    const updates = stateInteger(where, 'updates', record.updates);
    const B = this.options.streams;
    const L = this.layers.length;
    const widths = this.layers.map((l) => [l.config.inputs[0]!.size, l.size] as const);
    const savedWindow = stateArray(where, 'window', record.window);
    if (savedWindow.length > this.options.window)
      throw new CheckpointError(
        sizeCode,
        `${where}: expected a window of at most ${this.options.window} steps, but got ${savedWindow.length}`,
      );
    const window = savedWindow.map((raw, w) => {
      const at = `window[${w}]`;
      const r = stateRecord(where, at, raw, ['index', 'inputs', 'codes', 'continues', 'side', 'complete', 'learned']);
      const inputs = counted(`${at}.inputs`, r.inputs, L).map((pair, l): [Float32Array, Float32Array] => {
        const [below, own] = stateArray(where, `${at}.inputs[${l}]`, pair, 2);
        return [
          sized(`${at}.inputs[${l}][0]`, below, B * widths[l]![0]),
          sized(`${at}.inputs[${l}][1]`, own, B * widths[l]![1]),
        ];
      });
      const codes = counted(`${at}.codes`, r.codes, L).map((c, l) => sized(`${at}.codes[${l}]`, c, B * widths[l]![1]));
      // Left out by checkpoints from before the means were kept (setState: each code its own mean).
      const means =
        r.means === undefined
          ? undefined
          : counted(`${at}.means`, r.means, L).map((m, l) =>
              m === null ? null : sized(`${at}.means[${l}]`, m, B * widths[l]![1]),
            );
      const side = stateRecord(where, `${at}.side`, r.side, ['rows', 'values', 'present']);
      stateInteger(where, `${at}.side.rows`, side.rows, B, B);
      const values = counted(`${at}.side.values`, side.values, this.modalities.length).map((v, k) =>
        sized(`${at}.side.values[${k}]`, v, B * this.modalities[k]!.size),
      );
      const present = counted(`${at}.side.present`, side.present, this.modalities.length).map((v, k) =>
        sized(`${at}.side.present[${k}]`, v, B),
      );
      return {
        index: stateInteger(where, `${at}.index`, r.index, 0, Math.max(0, steps - 1)),
        inputs,
        codes,
        ...(means && { means }),
        continues: sized(`${at}.continues`, r.continues, B),
        side: { rows: B, values, present },
        complete: stateBoolean(where, `${at}.complete`, r.complete),
        learned: stateBoolean(where, `${at}.learned`, r.learned),
      };
    });
    // A stack that has not stepped yet has made no predictions.
    const fresh = steps === 0 && Array.isArray(record.predictions) && record.predictions.length === 0;
    const predictions = fresh
      ? []
      : counted('predictions', record.predictions, this.modalities.length).map((p, k) =>
          sized(`predictions[${k}]`, p, B * this.modalities[k]!.size),
        );
    const pendingStart = counted('pendingStart', record.pendingStart, B).map((v, r) =>
      stateBoolean(where, `pendingStart[${r}]`, v),
    );
    return {
      parameters,
      optimizers,
      rng,
      window,
      predictions,
      pendingStart,
      steps,
      updates,
      ...(replay && { replay }),
    };
  }

  /**
   * Restores a state from `getState` of a stack with the same options. All of it is checked
   * first (`checkState`), so a state it cannot take (CheckpointError) leaves this stack as it was.
   */
  setState(saved: RecurrentStackState): void {
    const where = 'RecurrentStack.setState';
    this.assertLive(where);
    const state = this.checkState(saved);
    const e = this.engine;
    const params = this.parameters;
    const groups = this.optimizerGroups();
    const B = this.options.streams;
    const widths = this.layers.map((l) => [l.config.inputs[0]!.size, l.size] as const);
    // Everything checked: write.
    params.forEach((p, i) => {
      const v = e.matrix(state.parameters[i]!, e.rows(p), e.cols(p));
      e.assign(p, v);
      e.free(v);
    });
    groups.forEach(([o, ps], i) => o.setState(ps, state.optimizers[i]!));
    this.rng.setState(state.rng);
    if (state.replay) this.top.setReplayState(state.replay);
    this.window.clear();
    for (const r of state.window) {
      const codes = r.codes.map((c, l) => e.matrix(c, B, this.layers[l]!.size));
      // Without saved means (an older checkpoint), a drawn code stands for its own mean, as it did then.
      const means = codes.map((_, l) => {
        const m = r.means?.[l];
        return m && this.layers[l]!.stochastic ? e.matrix(m, B, this.layers[l]!.size) : null;
      });
      const inputs = r.inputs.map(([b, c], l): [M, M] => [
        l === 0 ? e.matrix(b, B, widths[0]![0]) : codes[l - 1]!,
        e.matrix(c, B, this.layers[l]!.size),
      ]);
      const side = {
        rows: r.side.rows,
        values: r.side.values.map((v) => Float32Array.from(v)),
        present: r.side.present.map((v) => Float32Array.from(v)),
      };
      this.window.push({
        index: r.index,
        inputs,
        codes,
        means,
        continues: e.matrix(r.continues, B, 1),
        continuesAll: !r.continues.includes(0),
        side,
        complete: r.complete,
        learned: r.learned,
      });
    }
    e.free(this.predictions);
    this.predictions = state.predictions.map((p, k) => e.keep(e.matrix(p, B, this.modalities[k]!.size)));
    this.pendingStart = [...state.pendingStart];
    this.steps = state.steps;
    this.updates = state.updates;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const e = this.engine;
    this.window.dispose();
    e.free(this.predictions);
    e.free(this.lastLosses);
    e.free(this.lastTargets.filter((m): m is M => m !== null));
    this.layers.forEach((l) => l.dispose());
    this.top.dispose();
    [...this.encoderOptimizers, ...this.decoderOptimizers, this.topOptimizer, this.readoutOptimizer].forEach((o) =>
      o.dispose(),
    );
  }
}

/** A layer of the given kind: one file per kind, the same decoders and targets. */
function layerOf(
  spec: { readonly cell: LayerCell; readonly updateBias: number },
  e: Engine<M>,
  config: DenoisingLayerConfig,
  rng: Rng,
): DenoisingLayer<M> {
  return spec.cell === 'gated' ? new GatedLayer(e, config, rng, spec.updateBias) : new DenoisingLayer(e, config, rng);
}

/** Appends the modalities of `b` to those of `a` (same rows). */
function concatModalities(a: SideBatch, b: SideBatch): SideBatch {
  return { rows: a.rows, values: [...a.values, ...b.values], present: [...a.present, ...b.present] };
}

export type { StepRecord };
