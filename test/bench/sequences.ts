// Sequences bench: target propagation (difference and plain forms), BPTT on the same recurrent
// architecture and an LSTM trained by BPTT, each learning online from the same seeded stream for
// the same number of steps (or sequences), in one process; on the symbol streams (Reber,
// embedded Reber, Moby-Dick), also the add-one order-2 n-gram, the floor a learner must beat.
//   npm run bench -- sequences [--tasks a,b] [--methods a,b] [--quick] [--json]
// Methods: tp-difference, tp-difference-reconstruction, tp-plain, bptt, lstm, ngram (the default set),
// and tp-difference-annealed, bptt-annealed, tp-difference-small-step.
// Stream tasks report a prequential metric over the last 1,000 scored predictions; labelled
// tasks (temporal order, adding) report accuracy on 1,000 fresh test sequences after a budget
// of training sequences, with the label hidden at test time (adding: the share of answers within
// 0.04 of the sum, and the test MSE; predicting the mean gives about 0.08 and 0.17).

import { parseArgs } from 'node:util';
import { type PredictiveAgentOptions, PredictiveAgent } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { initEngine } from '../../src/math/index.js';
import type { SpaceValue } from '../../src/environment/space.js';
import { finish, printTable, progress, type Row } from './report.js';
import { runLoop } from './run-agent-loop.js';

interface Task {
  readonly task: string;
  readonly env: string;
  readonly envOptions?: Record<string, unknown>;
  /** Metric name of the agent (stream tasks) or how labelled tasks are scored. */
  readonly metric: string;
  readonly steps?: number;
  readonly sequences?: number;
  readonly window: number;
  readonly agent?: PredictiveAgentOptions;
  /** Whether the stream is of symbols, where the n-gram floor applies. */
  readonly symbols?: boolean;
  /** For labelled tasks: T, and whether the label is categorical. */
  readonly labelled?: { readonly length: number; readonly kind: 'categorical' | 'continuous' };
}

const HIDDEN = 64;
/** Inverse-time decay of the annealed variants: step size η / (1 + 0.001·t) at update t. */
const ANNEALING = 0.001;

function tasks(quick: boolean): Task[] {
  const q = (full: number, small: number): number => (quick ? small : full);
  const temporal = [10, 20, 50, 100].map(
    (T): Task => ({
      task: `temporal-order T=${T}`,
      env: 'TemporalOrder-v0',
      envOptions: { length: T },
      metric: 'testAccuracy',
      sequences: q(T <= 20 ? 5000 : 10000, 1000),
      window: T + 2,
      agent: { predictNext: false, updateEvery: T + 2 },
      labelled: { length: T, kind: 'categorical' },
    }),
  );
  const adding = [10, 20, 50].map(
    (T): Task => ({
      task: `adding T=${T}`,
      env: 'Adding-v0',
      envOptions: { length: T },
      metric: 'testWithin0.04',
      sequences: q(10000, 1000),
      window: T + 2,
      agent: { predictNext: false, updateEvery: T + 2 },
      labelled: { length: T, kind: 'continuous' },
    }),
  );
  return [
    { task: 'sine-mixture', env: 'SineMixture-v0', metric: 'next/squaredError', steps: q(10000, 3000), window: 16 },
    { task: 'reber', env: 'Reber-v0', metric: 'next/legal', steps: q(10000, 3000), window: 16, symbols: true },
    {
      task: 'embedded-reber (hard position)',
      env: 'EmbeddedReber-v0',
      metric: 'next/critical',
      steps: q(30000, 5000),
      window: 16,
      symbols: true,
    },
    {
      task: 'moby-dick',
      env: 'MobyDick-v0',
      metric: 'next/logLoss',
      steps: q(20000, 3000),
      window: 16,
      symbols: true,
    },
    ...temporal,
    ...adding,
  ];
}

const METHODS: Record<string, PredictiveAgentOptions> = {
  'tp-difference': { learner: 'tp', targetForm: 'difference' },
  'tp-difference-reconstruction': { learner: 'tp', targetForm: 'difference', topTarget: 'reconstruction' },
  'tp-plain': { learner: 'tp', targetForm: 'plain' },
  bptt: { learner: 'bptt' },
  lstm: { learner: 'lstm' },
  // Symbol streams only: P(c | previous two symbols) = (count + 1) / (total + n), online.
  ngram: { learner: 'ngram' },
  // With one update per sequence, a constant step size learns temporal order at T = 50 within a
  // few thousand sequences and then loses it again; an inverse-time decay keeps it. Run by name
  // (--methods), for the labelled tasks; the LSTM (tf.train.adam) has no such schedule here.
  'tp-difference-annealed': { learner: 'tp', targetForm: 'difference', optimizer: { decay: ANNEALING } },
  'bptt-annealed': { learner: 'bptt', optimizer: { decay: ANNEALING } },
  // The other cure: a constant step five times below the encoders' default of 5e-4.
  'tp-difference-small-step': { learner: 'tp', targetForm: 'difference', optimizer: { learningRate: 1e-4 } },
};
const DEFAULT_METHODS = ['tp-difference', 'tp-difference-reconstruction', 'tp-plain', 'bptt', 'lstm', 'ngram'];
/** Methods that apply to symbol streams only. */
const SYMBOL_METHODS = new Set(['ngram']);

/** How the encoders' step size goes: 'constant' (the default), 'constant 0.0001', 'decay 0.001'. */
function schedule(options: PredictiveAgentOptions): string {
  const { decay, learningRate } = options.optimizer ?? {};
  if (decay) return `decay ${decay}`;
  return learningRate === undefined ? 'constant' : `constant ${learningRate}`;
}

function hideLabel(observation: SpaceValue): SpaceValue {
  const { label: _label, ...rest } = observation as Record<string, SpaceValue>;
  return rest;
}

function runTask(task: Task, method: string, seed: number): Row {
  const env = makeEnvironment(task.env, task.envOptions);
  const agent = new PredictiveAgent(env.observationSpace, {
    layers: [HIDDEN],
    window: task.window,
    seed,
    ...task.agent,
    ...METHODS[method],
  });
  const started = performance.now();
  let steps = 0;
  let value: number;
  let trainSeconds: number;
  let testMse: number | undefined;
  if (task.labelled) {
    steps = runLoop(agent, env, { episodes: task.sequences!, seed });
    trainSeconds = (performance.now() - started) / 1000;
    const test = makeEnvironment(task.env, task.envOptions);
    let hits = 0;
    let count = 0;
    let squaredError = 0;
    runLoop(agent, test, {
      episodes: 1000,
      seed: seed + 1000,
      view: hideLabel,
      onStep: (t, a) => {
        const label = (t.observation as Record<string, unknown>).label;
        if (label === undefined) return;
        const p = a.predict().find((m) => m.name === 'label')!.values;
        if (task.labelled!.kind === 'categorical') {
          let best = 0;
          for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
          if (best === label) hits++;
        } else {
          const error = p[0]! - (label as Float32Array)[0]!;
          if (Math.abs(error) < 0.04) hits++;
          squaredError += error * error;
        }
        count++;
      },
    });
    value = hits / count;
    if (task.labelled.kind === 'continuous') testMse = squaredError / count;
  } else {
    steps = runLoop(agent, env, { steps: task.steps!, seed });
    trainSeconds = (performance.now() - started) / 1000;
    value = agent.metrics()[task.metric] ?? NaN;
  }
  agent.dispose();
  return {
    task: task.task,
    method: method.replace(/-reconstruction$|-annealed$|-small-step$/, ''),
    topTarget: method.startsWith('tp-') ? (METHODS[method]!.topTarget ?? 'discriminant') : null,
    schedule: SYMBOL_METHODS.has(method) ? null : schedule(METHODS[method]!),
    metric: task.metric,
    value,
    stepsPerSecond: Math.round(steps / trainSeconds),
    steps,
    ...(task.labelled ? { sequences: task.sequences! } : {}),
    ...(testMse === undefined ? {} : { testMse }),
    window: task.window,
    wallSeconds: Math.round(trainSeconds * 10) / 10,
  };
}

export async function sequencesBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: 'string' },
      methods: { type: 'string', default: DEFAULT_METHODS.join(',') },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const backend = await initEngine({ report: progress });
  const all = tasks(values.quick);
  const chosen = values.tasks
    ? all.filter((t) => values.tasks!.split(',').some((name) => t.task.startsWith(name)))
    : all;
  const methods = values.methods.split(',');
  for (const m of methods)
    if (!METHODS[m])
      throw new Error(`sequences bench: expected methods among ${Object.keys(METHODS).join(', ')}, but got "${m}"`);
  const rows: Row[] = [];
  for (const task of chosen) {
    for (const method of methods) {
      if (SYMBOL_METHODS.has(method) && !task.symbols) continue;
      const row = runTask(task, method, Number(values.seed));
      progress(
        `${task.task} ${method}: ${row.metric} ${Number(row.value).toFixed(4)} (${row.stepsPerSecond} steps/s, ` +
          `${row.wallSeconds} s)`,
      );
      rows.push(row);
    }
  }
  printTable(
    `Sequences (hidden ${HIDDEN}, backend ${backend}; stream metrics over the last 1,000 predictions, labelled ` +
      `tasks on 1,000 fresh sequences)`,
    rows,
    [
      'task',
      'method',
      'topTarget',
      'schedule',
      'metric',
      'value',
      'testMse',
      'stepsPerSecond',
      'steps',
      'sequences',
      'window',
      'wallSeconds',
    ],
  );
  finish('sequences', { backend, hidden: HIDDEN, rows }, values.json);
}
