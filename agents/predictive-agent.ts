// The predictive agent: a recurrent stack learning online by target propagation through time,
// predicting its next observation (and any side modality, such as a label that a sequence
// carries at its end) before it arrives, scoring that prediction when it does, then learning.
// Observations may be a symbol (discrete space), a vector (box) or a dict whose `input` key is
// what the stack reads and whose other keys are side modalities, present or missing per step.

import type { Agent, AgentState, ModalityPrediction, Outcome, Transition } from '../src/agent/agent.js';
import { InvalidOptionError, ShapeMismatchError, StateError, describeValue } from '../src/errors.js';
import { Mean, RollingMean } from '../src/metrics/rolling-mean.js';
import { AnomalyScore, type AnomalyScoreOptions } from '../src/metrics/anomaly-score.js';
import { StateNovelty } from '../src/metrics/state-novelty.js';
import { stateArray } from '../src/checkpoint/state-checks.js';
import { argMax, scoreCategorical, squaredError } from '../src/metrics/prequential-scores.js';
import { type ModalitySpec, modalitiesOf, writeModality, type ModalityValue } from '../src/learner/modality.js';
import { checkKeys, choiceOption, numberOption } from '../src/options.js';
import type { SequenceLearner } from '../src/learner/sequence-learner.js';
import { FusedRecurrentBackprop } from '../src/baselines/fused-recurrent-backprop.js';
import { LstmBackprop } from '../src/baselines/lstm-backprop.js';
import { Ngram } from '../src/baselines/ngram.js';
import { RepeatLast } from '../src/baselines/repeat-last.js';
import { LinearExtrapolation } from '../src/baselines/linear-extrapolation.js';
import { RECURRENT_OPTION_KEYS, RecurrentStack, type RecurrentStackOptions } from '../src/learner/recurrent-stack.js';
import { STACK_OPTION_KEYS } from '../src/learner/stack-options.js';
import { packSide, padSide } from '../src/learner/side-batch.js';
import type { Frame, ScoredValue, SeriesInfo, Topology } from '../src/agent/snapshot.js';
import { type Space, assertInSpace } from '../src/environment/space.js';
import { type Dream, type DreamOptions, dream } from './dream.js';
import { type AgentInferOptions, type AgentInference, inferAgent } from './infer.js';
import { type AgentExtra, agentState, checkAgentExtra, checkReference, restoreAgent } from './agent-state.js';
import { Rehearsal, type RehearsalOptions, type ResolvedRehearsal, resolveRehearsal } from './rehearsal.js';
import {
  LATE_INFO,
  RecentCodes,
  lossInfo,
  metricInfo,
  metricNames,
  modalityLabels,
  recentCapacity,
} from './agent-topology.js';

export const LEARNERS = ['tp', 'bptt', 'lstm', 'ngram', 'repeat-last', 'linear-extrapolation'] as const;
export type LearnerKind = (typeof LEARNERS)[number];

export type PredictiveAgentOptions = Omit<RecurrentStackOptions, 'input' | 'modalities'> & {
  /**
   * 'tp' (default): the recurrent stack trained by target propagation. 'bptt' and 'lstm': the
   * backpropagation baselines (same window, same stream), for comparisons; they have no codes
   * or targets to show and cannot be saved. 'ngram': an add-one n-gram over the previous
   * `order` symbols, the floor for symbol streams (categorical input, next-symbol only; not saved).
   * 'repeat-last' (x_t) and 'linear-extrapolation' (2 x_t − x_{t−1}): the floors for continuous
   * streams (continuous input, next-observation only; not saved).
   */
  readonly learner?: LearnerKind;
  /** For learner 'ngram': the previous symbols a prediction is conditioned on; default 2. */
  readonly order?: number;
  /**
   * Rehearsal (rehearsal.ts): beside the live stream the learner steps `streams` more rows that
   * replay the live stream's past inputs, segments of `segment` steps from seeded random starts
   * among the last `memory` steps; only the live row is scored. true: { streams: 3, segment: 100,
   * memory: 50,000 }; default none. For one stream that predicts its next input, with the 'tp',
   * 'bptt' or 'lstm' learner; each step then costs about as much as a step of 1 + streams rows.
   */
  readonly rehearse?: boolean | RehearsalOptions;
  /** For a dict observation space: the key the stack reads; default 'observation'. */
  readonly inputKey?: string;
  /** Steps that rolling metrics average over; default 1000. */
  readonly metricWindow?: number;
  /**
   * The calibrated anomaly score of each modality's prediction error (Outcome.anomaly): its
   * short window, history, warm-up and tail (AnomalyScore), or false for none; default {}. With
   * `protect` p, a next input whose score reaches p is not learned as a target (River's
   * ThresholdFilter), so that a long anomaly stays one; default 1.1 (never). With `reference`, a
   * second stack learning slowly (true: encoders at 1e-5, decoders at 1e-4; or stack options of
   * its own) is scored too, and each step's score is max(own, reference)²: the slow learner keeps
   * flagging an event the agent's own learner adapts to (docs/experiments.md, row A10), at twice
   * the cost of a step. Default none. With `state: true` ('tp' learner), the top code's novelty
   * under a Gaussian fitted to past codes (StateNovelty) is a score of its own, joined to each
   * modality's: the step's score is max(own, reference, state)^k over its k scores (row A12).
   */
  readonly anomaly?:
    | (AnomalyScoreOptions & {
        readonly protect?: number;
        readonly state?: boolean;
        readonly reference?:
          | boolean
          | Pick<RecurrentStackOptions, 'optimizer' | 'decoderOptimizer' | 'readoutOptimizer'>;
      })
    | false;
};

/** The options the agent takes itself; the rest go to its learner. */
export const OWN_KEYS = ['learner', 'inputKey', 'metricWindow', 'order', 'anomaly', 'rehearse'];
const REFERENCE_KEYS = ['optimizer', 'decoderOptimizer', 'readoutOptimizer'];
/** `anomaly.reference: true`: the slow learner of docs/experiments.md, rows A9–A10. */
const SLOW_REFERENCE = Object.freeze({
  optimizer: { learningRate: 1e-5 },
  decoderOptimizer: { learningRate: 1e-4 },
});

export class PredictiveAgent implements Agent {
  /** Whether side information may arrive late (SupervisedAgent), which adds late-label metrics. */
  static readonly takesLateSide: boolean = false;
  /** The agent kind a topology names (read in the constructor, before a subclass's fields exist). */
  static readonly agentKind: string = 'predictive';
  readonly kind: string = 'predictive';
  readonly actionSpace: Space | null = null;
  /** The target-propagation stack (null for a baseline learner). */
  readonly stack: RecurrentStack | null;
  readonly learner: SequenceLearner;
  readonly topology: Topology;
  private readonly inputSpec: ModalitySpec;
  protected readonly side: ModalitySpec[];
  private readonly inputKey: string | null;
  private readonly scores = new Map<string, { recent: RollingMean; total: Mean }>();
  /** Per modality, one anomaly score per stream (none with `anomaly: false`). */
  private readonly anomalies = new Map<string, AnomalyScore[]>();
  /** Per continuous modality, the buffer its per-entry squared errors are written into each step. */
  private readonly errorBuffers = new Map<string, Float64Array>();
  /** A next input scoring at least this is not learned as a target (above 1: none). */
  private readonly protect: number = 1.1;
  /** Per stream, the top code's novelty (option `anomaly.state`), or null. */
  private readonly novelty: StateNovelty[] | null = null;
  /** Per stream, how many scores each modality's anomaly of this step joins (own, reference). */
  private readonly anomalyParts: Map<string, number>[] = [];
  /** The slow second learner of `anomaly.reference`, scored beside this one (null: none). */
  private readonly reference: RecurrentStack | null = null;
  private readonly referenceAnomalies = new Map<string, AnomalyScore[]>();
  private referenceStanding: Float32Array[] = [];
  /** Stream 0: the largest anomaly score of each modality since the last snapshot. */
  private peakAnomaly = new Map<string, number>();
  private standing: Float32Array[] = [];
  /** The rows that replay the live stream's past (option `rehearse`), or null. */
  private readonly rehearsal: Rehearsal | null;
  /** Stream 0 at the latest step: the values that came, and the predictions scored against them. */
  private lastActual = new Map<string, Float32Array>();
  private lastScored = new Map<string, Float32Array>();
  /** Stream 0: the latest step at which each modality was scored, kept across steps. */
  private latestScoring = new Map<string, ScoredValue>();
  /** Recent codes for viewers, kept from the first snapshot on (an agent nobody watches pays nothing). */
  private recent: RecentCodes | null = null;
  private previousInfo: (Transition['info'] | null)[];
  private inEpisode: boolean[];
  /** Streams stepped together (rows of the learner's batch). */
  readonly streams: number;
  /** Per entry of a continuous input, the smallest and largest value seen (where dreams stay). */
  private readonly inputLow: Float64Array;
  private readonly inputHigh: Float64Array;
  private lastTime = 0;
  private rate = 0;
  private disposed = false;
  episode = 0;

  constructor(
    readonly observationSpace: Space,
    readonly options: PredictiveAgentOptions = {},
  ) {
    const where = `${new.target.name}`;
    const { inputKey, metricWindow, learner, order, anomaly, rehearse, ...stackOptions } = options;
    checkKeys(where, options, [
      ...OWN_KEYS,
      ...STACK_OPTION_KEYS.filter((k) => k !== 'modalities'),
      ...RECURRENT_OPTION_KEYS.filter((k) => k !== 'input'),
    ]);
    const all = modalitiesOf(observationSpace);
    this.inputKey = observationSpace.kind === 'dict' ? (inputKey ?? 'observation') : null;
    const input = this.inputKey === null ? all[0] : all.find((m) => m.name === this.inputKey);
    if (!input)
      throw new InvalidOptionError(
        `${where}: expected option "inputKey" to name a key of the observation space ` +
          `[${all.map((m) => m.name).join(', ')}], but got ${describeValue(inputKey)}`,
      );
    this.inputSpec = input;
    this.side = all.filter((m) => m !== input);
    const ranged = input.kind === 'continuous' ? input.size : 0;
    this.inputLow = new Float64Array(ranged).fill(Infinity);
    this.inputHigh = new Float64Array(ranged).fill(-Infinity);
    const window = numberOption(where, 'metricWindow', metricWindow, 1000, { integer: true, min: 1 });
    const kind = choiceOption(where, 'learner', learner, 'tp', LEARNERS);
    if (order !== undefined && kind !== 'ngram')
      throw new InvalidOptionError(
        `${where}: expected option "order" only with learner 'ngram', but the learner is '${kind}'`,
      );
    const inputSpec = { kind: input.kind, size: input.size };
    this.streams = numberOption(where, 'streams', stackOptions.streams, 1, { integer: true, min: 1 });
    this.inEpisode = new Array(this.streams).fill(false);
    this.previousInfo = new Array(this.streams).fill(null);
    const rehearsal = resolveRehearsal(where, rehearse);
    if (rehearsal) checkRehearsal(where, rehearsal, kind, this.streams, stackOptions.predictNext, new.target);
    this.rehearsal = rehearsal && new Rehearsal(rehearsal, input.size, stackOptions.seed ?? 0);
    // The learner's rows: the agent's streams, then the rehearsal's.
    const rows = this.streams + (rehearsal?.streams ?? 0);
    this.stack =
      kind === 'tp'
        ? new RecurrentStack({ ...stackOptions, input: inputSpec, modalities: this.side, streams: rows })
        : null;
    this.learner =
      this.stack ??
      (kind === 'ngram'
        ? ngramLearner(where, order, inputSpec, this.side, stackOptions)
        : kind === 'repeat-last' || kind === 'linear-extrapolation'
          ? naiveLearner(where, kind, inputSpec, this.side, stackOptions)
          : baselineLearner(kind as 'bptt' | 'lstm', { ...stackOptions, streams: rows }, inputSpec, this.side));
    const takesLate = (new.target as typeof PredictiveAgent).takesLateSide;
    const agentKind = (new.target as typeof PredictiveAgent).agentKind;
    const certain: string[] = [];
    const aboutMetrics: Record<string, SeriesInfo> = takesLate ? { ...LATE_INFO } : {};
    for (const m of this.learner.modalities) {
      // Grammar metrics apply to the next input; late-label metrics to side modalities of agents
      // that take late side information. Only those sure to come are listed up front.
      const all = metricInfo(m, window);
      for (const { name, certain: sure } of metricNames(m, takesLate && m.name !== 'next')) {
        this.scores.set(name, { recent: new RollingMean(window), total: new Mean() });
        aboutMetrics[name] = all[name]!;
        if (sure) certain.push(name);
      }
    }
    if (anomaly !== false) {
      if (anomaly !== undefined && (typeof anomaly !== 'object' || anomaly === null || Array.isArray(anomaly)))
        throw new InvalidOptionError(
          `${where}: expected option "anomaly" to be false or { window, history, warmup, tail, protect }, but ` +
            `got ${describeValue(anomaly)}`,
        );
      const keys = ['window', 'history', 'warmup', 'tail', 'protect', 'reference', 'state'];
      checkKeys(`${where} option "anomaly"`, anomaly ?? {}, keys);
      const { protect, reference, state, ...scoring } = anomaly ?? {};
      this.protect = numberOption(`${where} option "anomaly"`, 'protect', protect, 1.1, { above: 0 });
      const scores = (m: ModalitySpec): AnomalyScore[] =>
        Array.from({ length: this.streams }, () => new AnomalyScore(scoring, m.kind === 'continuous' ? m.size : 1));
      for (const m of this.learner.modalities) {
        if (m.kind === 'continuous') this.errorBuffers.set(m.name, new Float64Array(m.size));
        this.anomalies.set(m.name, scores(m));
      }
      if (reference !== undefined && reference !== false) {
        if (kind !== 'tp')
          throw new InvalidOptionError(`${where}: expected option "anomaly.reference" only with learner 'tp'`);
        if (reference !== true) checkKeys(`${where} option "anomaly.reference"`, reference, REFERENCE_KEYS);
        const slow = reference === true ? SLOW_REFERENCE : reference;
        this.reference = new RecurrentStack({
          ...stackOptions,
          ...slow,
          input: inputSpec,
          modalities: this.side,
          streams: rows,
        });
        for (const m of this.learner.modalities) this.referenceAnomalies.set(m.name, scores(m));
      }
      if (state !== undefined && state !== false) {
        if (state !== true)
          throw new InvalidOptionError(
            `${where}: expected option "anomaly.state" to be a boolean, but got ${describeValue(state)}`,
          );
        if (!this.stack)
          throw new InvalidOptionError(`${where}: expected option "anomaly.state" only with learner 'tp'`);
        // What newestTopCode reads: the top code, and with inputSkip the input beside it.
        const size = this.stack.top.config.codeSize;
        this.novelty = Array.from({ length: this.streams }, () => new StateNovelty(size, scoring));
      }
    }
    this.anomalyParts = Array.from({ length: this.streams }, () => new Map());
    const layers = this.stack?.options.layers ?? [];
    const top = this.stack?.top;
    const losses = lossInfo(layers.length, top?.usesAutoEncoder === true, !!top?.readout);
    this.topology = {
      agent: kind === 'tp' ? agentKind : `${agentKind}-${kind}`,
      environment: '',
      layers: layers.map((l, i) => ({ name: `layer${i + 1}`, size: l.size, units: l.units })),
      // The modalities frames carry: what the agent predicts ('next' is the next input).
      modalities: this.learner.modalities.map((m) => {
        const labels = modalityLabels(observationSpace, input.name, m.name);
        return { name: m.name, kind: m.kind, size: m.size, ...(labels && { labels }) };
      }),
      losses: this.stack ? Object.keys(losses) : [],
      metrics: [...certain, ...(takesLate ? Object.keys(LATE_INFO) : [])],
      about: { losses: this.stack ? losses : {}, metrics: aboutMetrics },
    };
  }

  private assertLive(where: string): void {
    if (this.disposed)
      throw new StateError(
        'ERR_DISPOSED',
        `${this.constructor.name}.${where}: expected a live agent, but it has been disposed`,
      );
  }

  protected record(name: string, value: number, scores: Record<string, number>): void {
    const s = this.scores.get(name);
    if (!s) return;
    s.recent.update(value);
    s.total.update(value);
    scores[name] = value;
  }

  /**
   * Scores modality `name` (index `k` of the learner's) of stream `r` into the outcome's anomaly
   * record: a symbol's log-loss, or a vector's squared error per entry (`prediction` against
   * `actual`); with a reference learner, max(own, reference)², the reference scored on its own
   * standing prediction.
   */
  private anomalyOf(
    name: string,
    k: number,
    r: number,
    anomaly: Record<string, number>,
    logLoss: number | null,
    prediction: ArrayLike<number>,
    actual: ArrayLike<number>,
  ): void {
    const score = this.anomalies.get(name)?.[r];
    if (!score) return;
    let value = score.update(this.errorsOf(name, logLoss, prediction, actual));
    let parts = 1;
    const reference = this.referenceAnomalies.get(name)?.[r];
    const standing = this.referenceStanding[k];
    if (reference && standing) {
      const size = actual.length;
      const p = standing.subarray(r * size, (r + 1) * size);
      const loss = logLoss === null ? null : scoreCategorical(p, argMax(actual)).logLoss;
      value = Math.max(value, reference.update(this.errorsOf(name, loss, p, actual)));
      parts = 2;
    }
    // The largest of the step's scores for now; finishAnomalies joins the state's and takes the
    // power (Šidák's correction for k scores: a normal step exceeds 1 − α about as often).
    anomaly[name] = value;
    this.anomalyParts[r]!.set(name, parts);
  }

  /** The step's anomaly of `name` in stream `r` as it stands, before the state's score joins it. */
  private anomalyNow(outcome: { anomaly: Record<string, number> }, name: string, r: number): number {
    const value = outcome.anomaly[name];
    return value === undefined ? 0 : value ** (this.anomalyParts[r]!.get(name) ?? 1);
  }

  /** Each modality's anomaly of this step: its scores and the state's joined, max(…)^k. */
  private finishAnomalies(outcomes: readonly { anomaly: Record<string, number> }[]): void {
    outcomes.forEach((outcome, r) => {
      let state: number | null = null;
      if (this.novelty) {
        const code = this.stack!.newestTopCode(r, true);
        if (code) state = this.novelty[r]!.update(code);
      }
      const parts = this.anomalyParts[r]!;
      for (const name of Object.keys(outcome.anomaly)) {
        let value = outcome.anomaly[name]!;
        let k = parts.get(name) ?? 1;
        if (state !== null) {
          value = Math.max(value, state);
          k += 1;
        }
        value = value ** k;
        outcome.anomaly[name] = value;
        if (r === 0 && !(value <= (this.peakAnomaly.get(name) ?? -1))) this.peakAnomaly.set(name, value);
      }
      parts.clear();
    });
  }

  /** What an anomaly score takes in: the log-loss, or the squared error per entry (a reused buffer). */
  private errorsOf(
    name: string,
    logLoss: number | null,
    prediction: ArrayLike<number>,
    actual: ArrayLike<number>,
  ): number | Float64Array {
    if (logLoss !== null) return logLoss;
    const errors = this.errorBuffers.get(name)!;
    for (let i = 0; i < errors.length; i++) errors[i] = (prediction[i]! - actual[i]!) ** 2;
    return errors;
  }

  observe(transition: Transition): Outcome {
    if (this.streams !== 1)
      throw new InvalidOptionError(
        `${this.constructor.name}.observe: expected one stream, but this agent steps ${this.streams} together; use ` +
          `observeBatch`,
      );
    return this.observeBatch([transition])[0]!;
  }

  /**
   * One transition per stream (row r of the learner's batch), e.g. from a VectorEnvironment in
   * 'next-step' autoreset mode. Every transition is checked before anything changes.
   */
  observeBatch(transitions: readonly Transition[]): Outcome[] {
    this.assertLive('observe');
    const where = `${this.constructor.name}.observe`;
    const B = this.streams;
    if (!Array.isArray(transitions) || transitions.length !== B)
      throw new ShapeMismatchError(
        `${where}: expected ${B} transitions, one per stream, but got ${describeValue(transitions)}`,
      );
    const n = this.inputSpec.size;
    const x = new Float32Array(B * n);
    const records = transitions.map((t, r) => {
      assertInSpace(this.observationSpace, t.observation, `${where}: observation${B > 1 ? ` of stream ${r}` : ''}`);
      const record = (this.inputKey === null ? { [this.inputSpec.name]: t.observation } : t.observation) as Record<
        string,
        ModalityValue | undefined
      >;
      writeModality(this.inputSpec, record[this.inputSpec.name]!, x, r * n, where);
      return record;
    });
    const side = packSide(this.side, records, where);
    for (let i = 0; i < x.length && this.inputLow.length > 0; i++) {
      const j = i % n;
      if (x[i]! < this.inputLow[j]!) this.inputLow[j] = x[i]!;
      if (x[i]! > this.inputHigh[j]!) this.inputHigh[j] = x[i]!;
    }
    const learner = this.learner;
    const starting = transitions.map((t, r) => (t.first && this.inEpisode[r] ? r : -1)).filter((r) => r >= 0);
    // With rehearsal the learner's batch is the live row, then the replayed ones (rehearsal.ts).
    let rowsIn = x;
    if (this.rehearsal) {
      rowsIn = new Float32Array((1 + this.rehearsal.streams) * n);
      rowsIn.set(x);
      this.rehearsal.remember(x, 0, transitions[0]!.first);
      starting.push(...this.rehearsal.fill(rowsIn));
    }
    if (starting.length) learner.startEpisode(starting);
    const nextIndex = learner.predictNext ? learner.modalities.length - 1 : -1;
    const outcomes = transitions.map((t) => ({
      step: t.step,
      scored: [] as { name: string; prediction: Float32Array; actual: Float32Array }[],
      scores: {} as Record<string, number>,
      anomaly: {} as Record<string, number>,
    }));
    this.lastActual.clear();
    this.lastScored.clear();
    // 1. The next-input predictions standing since the last step meet what came.
    if (nextIndex >= 0 && this.standing[nextIndex]) {
      transitions.forEach((t, r) => {
        if (t.first) return;
        const p = this.standing[nextIndex]!.subarray(r * n, (r + 1) * n);
        const actual = x.subarray(r * n, (r + 1) * n);
        const info = this.previousInfo[r];
        const scores = outcomes[r]!.scores;
        if (this.inputSpec.kind === 'categorical') {
          const s = scoreCategorical(p, argMax(actual), info?.legalNext as number[] | undefined);
          this.record('next/accuracy', s.accuracy, scores);
          this.record('next/logLoss', s.logLoss, scores);
          if (s.legal !== undefined) this.record('next/legal', s.legal, scores);
          if (info?.critical) this.record('next/critical', s.accuracy, scores);
          this.anomalyOf('next', nextIndex, r, outcomes[r]!.anomaly, s.logLoss, p, actual);
        } else {
          this.record('next/squaredError', squaredError(p, actual), scores);
          this.anomalyOf('next', nextIndex, r, outcomes[r]!.anomaly, null, p, actual);
        }
        const scored = p.slice();
        outcomes[r]!.scored.push({ name: 'next', prediction: scored, actual: actual.slice() });
        if (r === 0) this.scoredNow('next', scored, actual.slice(), learner.steps + 1);
      });
    }
    if (nextIndex >= 0) this.lastActual.set('next', x.slice(0, n));
    // 2. Step: encode, predict every side modality (before learning from this step), learn.
    const present = side.present.some((p) => p.some((v) => v > 0));
    const ignore = outcomes.map((o, r) => this.anomalyNow(o, 'next', r) >= this.protect);
    const rows = rowsIn.length / n;
    const sideIn = rows > B ? padSide(side, rows) : side;
    const ignoreIn = ignore.some(Boolean) ? [...ignore, ...new Array<boolean>(rows - B).fill(false)] : undefined;
    learner.step(rowsIn, sideIn, ignoreIn);
    if (this.reference) {
      this.reference.step(rowsIn, sideIn, ignoreIn);
      this.referenceStanding = nextIndex >= 0 || present ? this.own(this.reference.readPredictions()) : [];
    }
    if (this.recent !== null && this.stack !== null) this.recent.push(this.stack.readCodes(), learner.steps);
    // Predictions are read (a synchronous copy) only when something will be scored against them.
    this.standing = nextIndex >= 0 || present ? this.own(learner.readPredictions()) : [];
    // 3. Side modalities that came with this observation meet the predictions made for them.
    this.side.forEach((m, k) => {
      records.forEach((record, r) => {
        if (!side.present[k]![r]) return;
        const v = record[m.name]!;
        const actual = side.values[k]!.slice(r * m.size, (r + 1) * m.size);
        const p = this.standing[k]!.slice(r * m.size, (r + 1) * m.size);
        const scores = outcomes[r]!.scores;
        if (m.kind === 'categorical') {
          const s = scoreCategorical(p, v as number);
          this.record(`${m.name}/accuracy`, s.accuracy, scores);
          this.record(`${m.name}/logLoss`, s.logLoss, scores);
          this.anomalyOf(m.name, k, r, outcomes[r]!.anomaly, s.logLoss, p, actual);
        } else {
          this.record(`${m.name}/squaredError`, squaredError(p, actual), scores);
          this.anomalyOf(m.name, k, r, outcomes[r]!.anomaly, null, p, actual);
        }
        outcomes[r]!.scored.push({ name: m.name, prediction: p, actual });
        if (r === 0) {
          this.lastActual.set(m.name, actual);
          this.scoredNow(m.name, p, actual, learner.steps);
        }
      });
    });
    this.finishAnomalies(outcomes);
    transitions.forEach((t, r) => {
      this.previousInfo[r] = t.info;
      this.inEpisode[r] = true;
    });
    const ended = transitions.map((t, r) => (t.terminated || t.truncated ? r : -1)).filter((r) => r >= 0);
    if (ended.length) {
      // One stream: learn what is pending now. Several: each ended stream starts anew at its
      // next step and what it left is learned with the batch's next pass.
      if (B === 1) {
        learner.endEpisode();
        this.rehearsal?.restart();
      } else learner.startEpisode(ended);
      for (const r of ended) {
        this.inEpisode[r] = false;
        this.previousInfo[r] = null;
      }
      this.episode += ended.length;
    }
    const now = performance.now();
    if (this.lastTime > 0) this.rate = 0.98 * this.rate + 0.02 * ((1000 * B) / Math.max(now - this.lastTime, 1e-3));
    this.lastTime = now;
    return outcomes;
  }

  /** A learner's predictions, the agent's own streams' rows only (without the rehearsal's). */
  private own(predictions: Float32Array[]): Float32Array[] {
    if (!this.rehearsal) return predictions;
    const sizes = this.learner.modalities.map((m) => m.size);
    return predictions.map((p, k) => p.subarray(0, this.streams * sizes[k]!));
  }

  /** Remembers what stream 0 scored now (`step` is the frame step this observation makes). */
  private scoredNow(name: string, scored: Float32Array, actual: Float32Array, step: number): void {
    this.lastScored.set(name, scored);
    this.latestScoring.set(name, { step, scored, actual });
  }

  predict(): ModalityPrediction[] {
    this.assertLive('predict');
    if (this.standing.length === 0 && this.learner.steps > 0) this.standing = this.own(this.learner.readPredictions());
    return this.learner.modalities.map((m, k) => ({
      name: m.name,
      kind: m.kind,
      values: (this.standing[k] ?? new Float32Array(m.size)).slice(),
    }));
  }

  reset(): void {
    this.assertLive('reset');
    this.learner.startEpisode();
    this.rehearsal?.restart();
    this.inEpisode.fill(false);
    this.previousInfo.fill(null);
  }

  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, s] of this.scores) if (s.recent.count > 0) out[name] = s.recent.get();
    return out;
  }

  /** Cumulative means since the start (the rolling ones are in `metrics`). */
  totals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, s] of this.scores) if (s.total.count > 0) out[name] = s.total.get();
    return out;
  }

  snapshot(): Frame {
    this.assertLive('snapshot');
    if (this.standing.length === 0 && this.learner.steps > 0) this.standing = this.own(this.learner.readPredictions());
    const losses = this.stack?.readLosses() ?? null;
    const named: Record<string, number> = {};
    if (losses) {
      losses.encoder.forEach((v, i) => (named[`encoder${i + 1}`] = v));
      losses.reconstruction.forEach((v, i) => (named[`reconstruction${i + 1}`] = v));
      if (losses.top !== null) named.top = losses.top;
      if (losses.readout !== null) named.readout = losses.readout;
    }
    const layers = this.stack?.readLayers() ?? [];
    if (this.recent === null && this.stack !== null) {
      const sizes = this.stack.layers.map((l) => l.size);
      this.recent = new RecentCodes(sizes, recentCapacity(sizes));
      if (layers.length > 0) this.recent.push(this.stack.readCodes(), this.learner.steps);
    }
    const peaks = this.peakAnomaly;
    this.peakAnomaly = new Map();
    return {
      step: this.learner.steps,
      episode: this.episode,
      layers: layers.map((l, i) => {
        const recent = this.recent?.read(i) ?? { codes: new Float32Array(0), from: this.learner.steps };
        return {
          name: `layer${i + 1}`,
          code: l.code,
          target: l.target,
          // Step indices count from 0; frame steps count the steps taken.
          targetStep: l.targetIndex === null ? null : l.targetIndex + 1,
          input: l.input,
          reconstruction: l.reconstruction,
          reconstructionError: squaredError(l.reconstruction, l.input) / l.input.length,
          recentCodes: recent.codes,
          recentFrom: recent.from,
        };
      }),
      modalities: this.learner.modalities.map((m, k) => ({
        name: m.name,
        scored: this.lastScored.get(m.name) ?? null,
        actual: this.lastActual.get(m.name) ?? null,
        forecast: (this.standing[k] ?? new Float32Array(m.size)).slice(0, m.size),
        lastScored: this.latestScoring.get(m.name) ?? null,
        anomaly: peaks.get(m.name) ?? null,
      })),
      losses: named,
      metrics: this.metrics(),
      stepsPerSecond: this.rate,
    };
  }

  getState(): AgentState {
    this.assertLive('getState');
    return agentState(this.kind, this.options, this.tpStack('getState'), {
      episode: this.episode,
      inEpisode: this.inEpisode,
      previousInfo: this.previousInfo,
      lastActual: [...this.lastActual],
      lastScored: [...this.lastScored],
      scores: [...this.scores].map(([k, s]) => [k, s.recent.getState(), s.total.getState()]),
      anomaly: [...this.anomalies].map(([k, streams]) => [k, streams.map((a) => a.getState())]),
      inputRange: { low: Array.from(this.inputLow), high: Array.from(this.inputHigh) },
      ...(this.reference && {
        reference: {
          stack: this.reference.getState(),
          anomaly: [...this.referenceAnomalies].map(([k, streams]) => [k, streams.map((a) => a.getState())]),
        },
      }),
      ...(this.novelty && { novelty: this.novelty.map((n) => n.getState()) }),
      ...(this.rehearsal && { rehearsal: this.rehearsal.getState() }),
    });
  }

  setState(state: AgentState): void {
    this.assertLive('setState');
    // Everything is checked, the agent's own part too, before the stack or anything here changes.
    const sizes = new Map(this.learner.modalities.map((m) => [m.name, m.size]));
    const shape = {
      streams: this.streams,
      sizes,
      scores: this.scores,
      anomalies: this.anomalies,
      inputSize: this.inputLow.length,
    };
    let extra: AgentExtra | undefined;
    let restoreReference = (): void => undefined;
    let restoreNovelty = (): void => undefined;
    let restoreRehearsal = (): void => undefined;
    const check = (raw: Record<string, unknown>, where: string): void => {
      extra = checkAgentExtra(raw, where, shape);
      if (this.reference) restoreReference = checkReference(this.reference, this.referenceAnomalies, raw, where);
      const novelty = this.novelty;
      if (novelty) {
        const saved = stateArray(where, 'novelty', raw.novelty, this.streams).map((v, r) =>
          novelty[r]!.checkState(v, where, `novelty[${r}]`),
        );
        restoreNovelty = () => saved.forEach((v, r) => novelty[r]!.setState(v));
      }
      if (this.rehearsal) restoreRehearsal = this.rehearsal.checkState(raw.rehearsal, where);
    };
    restoreAgent(this.kind, this.options, this.tpStack('setState'), state, check, `${this.constructor.name}.setState`);
    const own = extra!;
    this.episode = own.episode;
    this.inEpisode = [...own.inEpisode];
    this.previousInfo = [...own.previousInfo];
    this.lastActual = new Map(own.lastActual);
    this.lastScored = new Map(own.lastScored);
    this.latestScoring.clear();
    this.recent?.clear();
    this.standing = this.learner.steps > 0 ? this.own(this.learner.readPredictions()) : [];
    for (const [k, recent, total] of own.scores) {
      this.scores.get(k)!.recent.setState(recent);
      this.scores.get(k)!.total.setState(total);
    }
    this.peakAnomaly.clear();
    for (const [k, streams] of own.anomaly) streams.forEach((a, r) => this.anomalies.get(k)![r]!.setState(a));
    restoreReference();
    restoreNovelty();
    restoreRehearsal();
    this.referenceStanding =
      this.reference && this.reference.steps > 0 ? this.own(this.reference.readPredictions()) : [];
    this.inputLow.set(own.inputRange?.low ?? new Array(this.inputLow.length).fill(Infinity));
    this.inputHigh.set(own.inputRange?.high ?? new Array(this.inputHigh.length).fill(-Infinity));
  }

  /**
   * Dreams `steps` observations of the input: the stack run free, each drawn from the prediction
   * of the step before and fed back (see DreamOptions), from the current state of a stream or
   * from a prompt. Changes nothing: weights, window, generator and metrics stay as they were.
   */
  dream(options: DreamOptions): Dream {
    this.assertLive('dream');
    const where = `${this.constructor.name}.dream`;
    if (!this.stack)
      throw new InvalidOptionError(
        `${where}: expected the 'tp' learner, but this agent runs the '${this.options.learner}' baseline`,
      );
    if (!this.stack.predictNext)
      throw new InvalidOptionError(`${where}: expected an agent that predicts its next input (predictNext: true)`);
    const recent = this.scores.get('next/squaredError')?.recent;
    const sigma = recent && recent.count > 0 ? Math.sqrt(recent.get() / this.inputSpec.size) : 0;
    const space =
      this.observationSpace.kind === 'dict' ? this.observationSpace.spaces[this.inputKey!] : this.observationSpace;
    // A dreamed entry stays in the box and in the range the input has taken (an unstable free run
    // would otherwise run off to values never seen).
    const box = space?.kind === 'box' ? space : { low: -Infinity, high: Infinity };
    const seen = this.inputLow.length > 0 && this.inputLow[0]! <= this.inputHigh[0]!;
    const low = Array.from(this.inputLow, (v) => Math.max(box.low, seen ? v : -Infinity));
    const high = Array.from(this.inputHigh, (v) => Math.min(box.high, seen ? v : Infinity));
    return dream(this.stack, this.inputSpec, { sigma, low, high }, options, where);
  }

  /**
   * Infers the side modalities missing from `known`, an observation of this step with some keys
   * left out (the input key must be there), from the stream's current context: MAP through the
   * top (the readout's predictions where the top auto-encoder does not learn), or samples of the
   * clamped chain (see AgentInferOptions). Changes nothing.
   */
  infer(known: Readonly<Record<string, ModalityValue | undefined>>, options: AgentInferOptions = {}): AgentInference {
    this.assertLive('infer');
    const where = `${this.constructor.name}.infer`;
    const stack = this.stack;
    if (!stack)
      throw new InvalidOptionError(
        `${where}: expected the 'tp' learner, but this agent runs the '${this.options.learner}' baseline`,
      );
    return inferAgent(stack, this.inputSpec, this.side, known, options, where);
  }

  private tpStack(where: string): RecurrentStack {
    if (!this.stack)
      throw new InvalidOptionError(
        `${this.constructor.name}.${where}: expected the 'tp' learner, but this agent runs the ` +
          `'${this.options.learner}' baseline, which cannot be saved`,
      );
    return this.stack;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.learner.dispose();
    this.reference?.dispose();
  }
}

/** The backpropagation baseline a comparison asks for, on the same input, modalities and window. */
function baselineLearner(
  kind: 'bptt' | 'lstm',
  options: Omit<PredictiveAgentOptions, 'learner' | 'inputKey' | 'metricWindow'>,
  input: { kind: 'categorical' | 'continuous'; size: number },
  side: ModalitySpec[],
): SequenceLearner {
  const layers = options.layers ?? [64];
  const common = {
    input,
    modalities: side,
    predictNext: options.predictNext,
    window: options.window,
    seed: options.seed,
    streams: options.streams,
  };
  // BPTT with closed-form gradients on the stack's own engine (the fused kernels unless tfjs is asked
  // for): the same learning as tfjs autodiff (RecurrentBackprop), about 20 times the steps per second.
  if (kind === 'bptt')
    return new FusedRecurrentBackprop({
      ...common,
      engine: options.engine === 'tfjs' ? 'tfjs' : 'fused',
      layers: layers.map((l) => (typeof l === 'number' ? l : { size: l.size, units: l.units })),
      updateEvery: options.updateEvery,
      optimizer: options.optimizer,
    });
  const first = layers[0]!;
  return new LstmBackprop({
    ...common,
    units: typeof first === 'number' ? first : first.size,
    learningRate: options.optimizer?.learningRate,
  });
}

/** The n-gram floor: next-symbol prediction on a categorical input, nothing else. */
function ngramLearner(
  where: string,
  order: number | undefined,
  input: { kind: 'categorical' | 'continuous'; size: number },
  side: ModalitySpec[],
  options: Omit<PredictiveAgentOptions, 'learner' | 'inputKey' | 'metricWindow'>,
): SequenceLearner {
  if (input.kind !== 'categorical')
    throw new InvalidOptionError(
      `${where}: expected a categorical (discrete) input for learner 'ngram', which counts symbols, but got a ` +
        `continuous input of size ${input.size}`,
    );
  if (side.length > 0 || options.predictNext === false)
    throw new InvalidOptionError(
      `${where}: expected learner 'ngram' to predict the next symbol only, but got ` +
        (side.length > 0 ? `side modalities [${side.map((m) => m.name).join(', ')}]` : 'predictNext: false'),
    );
  return new Ngram({ input, order, streams: options.streams });
}

/** The naive floors of a continuous stream: next-observation prediction on a continuous input, nothing else. */
function naiveLearner(
  where: string,
  kind: 'repeat-last' | 'linear-extrapolation',
  input: { kind: 'categorical' | 'continuous'; size: number },
  side: ModalitySpec[],
  options: Omit<PredictiveAgentOptions, 'learner' | 'inputKey' | 'metricWindow'>,
): SequenceLearner {
  if (input.kind !== 'continuous')
    throw new InvalidOptionError(
      `${where}: expected a continuous (box) input for learner '${kind}', which predicts values from the last ` +
        `ones, but got a categorical input of ${input.size} symbols`,
    );
  if (side.length > 0 || options.predictNext === false)
    throw new InvalidOptionError(
      `${where}: expected learner '${kind}' to predict the next observation only, but got ` +
        (side.length > 0 ? `side modalities [${side.map((m) => m.name).join(', ')}]` : 'predictNext: false'),
    );
  const own = { input, streams: options.streams };
  return kind === 'repeat-last' ? new RepeatLast(own) : new LinearExtrapolation(own);
}

/** Rehearsal is for one stream that predicts its next input, with a learner that steps rows together. */
function checkRehearsal(
  where: string,
  rehearsal: ResolvedRehearsal,
  kind: LearnerKind,
  streams: number,
  predictNext: boolean | undefined,
  agent: typeof PredictiveAgent,
): void {
  const why =
    streams !== 1
      ? `one stream, but got streams ${streams}`
      : predictNext === false
        ? 'an agent that predicts its next input (predictNext: true): replayed rows carry nothing else to learn'
        : kind !== 'tp' && kind !== 'bptt' && kind !== 'lstm'
          ? `the 'tp', 'bptt' or 'lstm' learner, but got '${kind}'`
          : agent.takesLateSide
            ? 'an agent without late side information'
            : null;
  if (why !== null)
    throw new InvalidOptionError(
      `${where}: expected option "rehearse" (${rehearsal.streams} replayed rows) only with ${why}`,
    );
}
