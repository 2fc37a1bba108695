// What the sequences bench runs: the tasks (stream, steps or sequences, window, width, how they
// are scored) and the methods (learner options), plus the step sizes every tunable method is
// swept over. Plain data, shared by the parent process and the child processes that run jobs.

import type { PredictiveAgentOptions } from '../../agents/predictive-agent.js';

/** 'symbols': a categorical stream (the n-gram floor applies); 'continuous': a box stream (the naive floors apply). */
export type TaskKind = 'symbols' | 'continuous' | 'labelled';

export interface Task {
  readonly task: string;
  readonly env: string;
  readonly envOptions?: Record<string, unknown>;
  readonly kind: TaskKind;
  /** Metric name of the agent (stream tasks) or how labelled tasks are scored. */
  readonly metric: string;
  /** Whether a larger metric is better (accuracies) or a smaller one (losses, errors). */
  readonly higherIsBetter: boolean;
  readonly steps?: number;
  readonly sequences?: number;
  /** The window the task needs (labelled: the whole sequence); unset: each method's own default. */
  readonly window?: number;
  /** Width of the one hidden layer (the LSTM's units); unset: each method's own default (64 for all today). */
  readonly hidden?: number;
  /** Stream tasks: the last predictions the metric averages over (the agent's option). */
  readonly metricWindow?: number;
  /** The task's own options, given to every method (the TP method gets nothing else). */
  readonly agent?: PredictiveAgentOptions;
  /** The `tp` method's options on this task beyond the agent's defaults: its documented configuration. */
  readonly tp?: PredictiveAgentOptions;
  /** For labelled tasks: T, and whether the label is categorical. */
  readonly labelled?: { readonly length: number; readonly kind: 'categorical' | 'continuous' };
}

/** Inverse-time decay of the annealed variants: step size η / (1 + 0.001·t) at update t. */
const ANNEALING = 0.001;
/**
 * The README's configuration for sequences labelled at their end (docs/experiments.md, rows 27 and 36):
 * a gated cell that starts out keeping its state, an annealed step, and context decoders that also
 * learn to pass targets back as the cell's transpose would (L-DRL).
 */
const LABELLED_TP: PredictiveAgentOptions = {
  layers: [{ size: 64, updateBias: 2 }],
  optimizer: { decay: 0.0003 },
  timeJacobian: 1,
};

/**
 * The tasks at their full budgets times `budget` (steps, sequences and metric windows), or with
 * `quick` at the small budgets that check the bench runs (a few minutes), not what methods learn.
 */
export function sequenceTasks(quick: boolean, budget = 1): Task[] {
  const q = (full: number, small: number): number => (quick ? small : Math.max(1, Math.round(full * budget)));
  const labelled = (task: string, env: string, T: number, kind: 'categorical' | 'continuous', sequences: number) =>
    ({
      task,
      env,
      envOptions: { length: T },
      kind: 'labelled',
      metric: kind === 'categorical' ? 'testAccuracy' : 'testWithin0.04',
      higherIsBetter: true,
      sequences,
      window: T + 2,
      agent: { predictNext: false, updateEvery: T + 2 },
      tp: LABELLED_TP,
      labelled: { length: T, kind },
    }) satisfies Task;
  const stream = (task: string, env: string, kind: TaskKind, metric: string, steps: number, extra = {}): Task => ({
    task,
    env,
    kind,
    metric,
    higherIsBetter: !/logLoss|squaredError/.test(metric),
    steps,
    metricWindow: q(1000, 250),
    ...extra,
  });
  return [
    stream('sine-mixture', 'SineMixture-v0', 'continuous', 'next/squaredError', q(10000, 1000)),
    // Several switches (one per 200 steps on average) fall in the scored window.
    stream('regime-switch', 'RegimeSwitch-v0', 'continuous', 'next/squaredError', q(20000, 2000), {
      metricWindow: q(5000, 500),
    }),
    stream('reber', 'Reber-v0', 'symbols', 'next/legal', q(10000, 1000)),
    stream('embedded-reber (hard position)', 'EmbeddedReber-v0', 'symbols', 'next/critical', q(30000, 2000)),
    stream('moby-dick', 'MobyDick-v0', 'symbols', 'next/logLoss', q(40000, 1000), {
      ...(quick ? {} : { hidden: 128 }),
      metricWindow: q(10000, 500),
    }),
    ...[10, 20, 50, 100].map((T) =>
      labelled(`temporal-order T=${T}`, 'TemporalOrder-v0', T, 'categorical', q(T <= 20 ? 5000 : 10000, 200)),
    ),
    ...[10, 20, 50].map((T) => labelled(`adding T=${T}`, 'Adding-v0', T, 'continuous', q(10000, 200))),
  ];
}

export interface Method {
  readonly options: PredictiveAgentOptions;
  /** The kinds of task it applies to. */
  readonly on: readonly TaskKind[];
  /** Whether the step-size sweep applies (a learner with a step size, and no step size of its own). */
  readonly tunable: boolean;
}

const ALL: readonly TaskKind[] = ['symbols', 'continuous', 'labelled'];

export const METHODS: Record<string, Method> = {
  // The agent's defaults, whatever they are when the bench runs: no option beyond the task's (on
  // labelled tasks, the task's `tp` options: the README's configuration for sequences labelled at their end).
  tp: { options: { learner: 'tp' }, on: ALL, tunable: true },
  'tp-difference': { options: { learner: 'tp', targetForm: 'difference' }, on: ALL, tunable: true },
  'tp-difference-reconstruction': {
    options: { learner: 'tp', targetForm: 'difference', topTarget: 'reconstruction' },
    on: ALL,
    tunable: true,
  },
  'tp-plain': { options: { learner: 'tp', targetForm: 'plain' }, on: ALL, tunable: true },
  // Rehearsal (agents/rehearsal.ts, docs/experiments.md rows 50–52): three rows replaying the
  // stream's past beside the live one, on streams (a labelled task's rows have nothing to replay).
  'tp-rehearsed': { options: { learner: 'tp', rehearse: true }, on: ['symbols', 'continuous'], tunable: true },
  'lstm-rehearsed': { options: { learner: 'lstm', rehearse: true }, on: ['symbols', 'continuous'], tunable: true },
  bptt: { options: { learner: 'bptt' }, on: ALL, tunable: true },
  lstm: { options: { learner: 'lstm' }, on: ALL, tunable: true },
  // Symbol streams only: P(c | previous two symbols) = (count + 1) / (total + n), online.
  ngram: { options: { learner: 'ngram' }, on: ['symbols'], tunable: false },
  // Continuous streams only: x_t, and x_t + (x_t − x_{t−1}).
  'repeat-last': { options: { learner: 'repeat-last' }, on: ['continuous'], tunable: false },
  'linear-extrapolation': { options: { learner: 'linear-extrapolation' }, on: ['continuous'], tunable: false },
  // With one update per sequence, a constant step size learns temporal order at T = 50 within a
  // few thousand sequences and then loses it again; an inverse-time decay keeps it. Run by name
  // (--methods), for the labelled tasks; the LSTM (tf.train.adam) has no such schedule here.
  'tp-difference-annealed': {
    options: { learner: 'tp', targetForm: 'difference', optimizer: { decay: ANNEALING } },
    on: ALL,
    tunable: true,
  },
  'bptt-annealed': { options: { learner: 'bptt', optimizer: { decay: ANNEALING } }, on: ALL, tunable: true },
  // The other cure: a constant step five times below the encoders' former default of 5e-4 (its own step, not swept).
  'tp-difference-small-step': {
    options: { learner: 'tp', targetForm: 'difference', optimizer: { learningRate: 1e-4 } },
    on: ALL,
    tunable: false,
  },
};

export const DEFAULT_METHODS = ['tp', 'tp-rehearsed', 'bptt', 'lstm', 'ngram', 'repeat-last', 'linear-extrapolation'];

/**
 * The step sizes every tunable method is tried at, set as `optimizer.learningRate`: all of
 * BPTT's and the LSTM's parameters, TP's encoders (its decoders and readout keep their own).
 */
export const SWEEP = [3e-4, 1e-3, 3e-3];

/** The options of `method` on `task` at step size `learningRate` (null: the method's own). */
export function methodOptions(method: string, task: Task, seed: number, learningRate: number | null) {
  const own = METHODS[method]!.options;
  const options = method === 'tp' && task.tp ? { ...own, ...task.tp } : own;
  const rate = learningRate === null ? {} : { optimizer: { ...options.optimizer, learningRate } };
  return {
    ...(task.hidden === undefined ? {} : { layers: [task.hidden] }),
    ...(task.window === undefined ? {} : { window: task.window }),
    seed,
    ...(task.metricWindow === undefined ? {} : { metricWindow: task.metricWindow }),
    ...task.agent,
    ...options,
    ...rate,
  } satisfies PredictiveAgentOptions;
}
