// Anomaly bench: detectors on InjectedAnomalies-v0 (three channels of sines and noise with
// injected spikes, level shifts, frequency changes and plateaus, labelled on every step they
// last), each run on the same seeded streams in one process: the calibrated anomaly score
// (AnomalyScore, Outcome.anomaly) of TP's default agent (tp), of the same agent protecting itself
// from what it flags (tp-protect: anomaly.protect 0.99, such inputs are not learned as targets), of
// the same agent with its encoders 25 times slower (tp-slow: optimizer.learningRate 2e-5), of the
// default agent scored beside such a slow learner (tp-reference: anomaly.reference), both with the
// top code's novelty joined (tp-state, tp-reference-state: anomaly.state), with rehearsal
// (tp-rehearsed: rehearse true), and of the LSTM baseline (lstm); TP's raw squared error
// (tp-raw-error); and a rolling z-score of the observations (rolling-z-score, window 100).
// Scored on every step after the first 2,000 (the learners' and scores' warm-up): ROC AUC, average
// precision, the AUC per kind of event (its steps against the normal ones), and the share of
// normal steps scoring above 0.99 (calibrated scores: about 0.01 if the score is calibrated).
//   npm run bench -- anomaly [--seeds 1,2,3] [--steps 20000] [--methods a,b] [--json]

import { parseArgs } from 'node:util';
import { PredictiveAgent, type PredictiveAgentOptions } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { ANOMALY_KINDS } from '../../environments/injected-anomalies.js';
import { RollingZScore } from '../../src/baselines/rolling-z-score.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import type { BoxSpace } from '../../src/environment/space.js';
import { initEngine } from '../../src/math/index.js';
import { averagePrecision, rocAuc } from '../../src/metrics/detection-scores.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { finish, meanRange, printTable, progress, type Row, summarize } from './report.js';

const ENV = 'InjectedAnomalies-v0';
const SKIP = 2000;

interface Method {
  /** The agent run on the stream (null: the rolling z-score alone). */
  readonly agent: PredictiveAgentOptions | null;
  /** What is scored: the agent's calibrated score, its raw squared error, or the z-score. */
  readonly score: 'calibrated' | 'raw' | 'z';
}

const METHODS: Record<string, Method> = {
  tp: { agent: {}, score: 'calibrated' },
  'tp-protect': { agent: { anomaly: { protect: 0.99 } }, score: 'calibrated' },
  // A slower learner adapts less to an event while it lasts (docs/experiments.md, rows A7, A9).
  'tp-slow': { agent: { optimizer: { learningRate: 2e-5 } }, score: 'calibrated' },
  // The default agent scored beside a slow reference learner (anomaly.reference, row A10).
  'tp-reference': { agent: { anomaly: { reference: true } }, score: 'calibrated' },
  // The top code's novelty joined to the prediction errors' scores (anomaly.state, row A12).
  'tp-state': { agent: { anomaly: { state: true } }, score: 'calibrated' },
  'tp-reference-state': { agent: { anomaly: { reference: true, state: true } }, score: 'calibrated' },
  // Three rows replaying the stream's past beside the live one (rehearse, docs/experiments.md row 50).
  'tp-rehearsed': { agent: { rehearse: true }, score: 'calibrated' },
  'tp-raw-error': { agent: {}, score: 'raw' },
  lstm: { agent: { learner: 'lstm' }, score: 'calibrated' },
  'rolling-z-score': { agent: null, score: 'z' },
};

interface Run {
  readonly scores: number[];
  readonly labels: boolean[];
  readonly kinds: (string | null)[];
  readonly seconds: number;
}

function run(method: Method, seed: number, steps: number): Run {
  const env = makeEnvironment(ENV);
  const channels = (env.observationSpace as BoxSpace).shape[0]!;
  const agent = method.agent ? new PredictiveAgent(env.observationSpace, { seed, ...method.agent }) : null;
  const z = new RollingZScore(channels);
  const scores: number[] = [];
  const labels: boolean[] = [];
  const kinds: (string | null)[] = [];
  const started = performance.now();
  for (const t of environmentTransitions(env, { seed, steps })) {
    let score: number;
    if (agent) {
      const outcome = agent.observe(t);
      score = method.score === 'raw' ? (outcome.scores['next/squaredError'] ?? 0) : (outcome.anomaly?.next ?? 0);
    } else score = z.update(t.observation as Float32Array);
    if (t.step < SKIP) continue;
    scores.push(score);
    labels.push(t.info.anomaly === true);
    kinds.push((t.info.kind as string | null) ?? null);
  }
  agent?.dispose();
  return { scores, labels, kinds, seconds: (performance.now() - started) / 1000 };
}

export async function anomalyBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      steps: { type: 'string', default: '20000' },
      methods: { type: 'string', default: Object.keys(METHODS).join(',') },
      json: { type: 'boolean', default: false },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  if (seeds.some((s) => !Number.isSafeInteger(s)))
    throw new Error(`anomaly bench: expected --seeds to be integers separated by commas, but got "${values.seeds}"`);
  const steps = Number(values.steps);
  if (!Number.isSafeInteger(steps) || steps <= SKIP + 100)
    throw new Error(`anomaly bench: expected --steps to be an integer above ${SKIP + 100}, but got "${values.steps}"`);
  const names = values.methods.split(',');
  for (const n of names)
    if (!METHODS[n])
      throw new Error(`anomaly bench: expected methods among ${Object.keys(METHODS).join(', ')}, but got "${n}"`);
  const backend = await initEngine({ report: progress });
  const rows: Row[] = [];
  for (const name of names) {
    const method = METHODS[name]!;
    const per = seeds.map((seed) => {
      const r = run(method, seed, steps);
      const byKind = Object.fromEntries(
        ANOMALY_KINDS.map((kind) => {
          const idx = r.kinds.map((k, i) => (k === kind || k === null ? i : -1)).filter((i) => i >= 0);
          return [
            kind,
            rocAuc(
              idx.map((i) => r.scores[i]!),
              idx.map((i) => r.kinds[i] === kind),
            ),
          ];
        }),
      );
      const normal = r.scores.filter((_, i) => !r.labels[i]);
      const result = {
        auc: rocAuc(r.scores, r.labels),
        ap: averagePrecision(r.scores, r.labels),
        byKind,
        falseAlarms: method.score === 'calibrated' ? normal.filter((s) => s > 0.99).length / normal.length : NaN,
        stepsPerSecond: steps / r.seconds,
      };
      progress(`anomaly: ${name} seed ${seed}: AUC ${result.auc.toFixed(3)}, AP ${result.ap.toFixed(3)}`);
      return result;
    });
    const of = (f: (p: (typeof per)[number]) => number): number[] => per.map(f);
    rows.push({
      method: name,
      score: method.score,
      auc: summarize(of((p) => p.auc)).mean,
      aucRange: meanRange(of((p) => p.auc)),
      aucSeeds: of((p) => p.auc),
      ap: summarize(of((p) => p.ap)).mean,
      apRange: meanRange(of((p) => p.ap)),
      apSeeds: of((p) => p.ap),
      ...Object.fromEntries(ANOMALY_KINDS.map((k) => [`auc ${k}`, summarize(of((p) => p.byKind[k]!)).mean])),
      falseAlarms: summarize(of((p) => p.falseAlarms)).mean,
      stepsPerSecond: Math.round(summarize(of((p) => p.stepsPerSecond)).mean),
    });
  }
  printTable(
    `Anomalies (${ENV}, ${steps} steps, scored after ${SKIP}; backend ${backend}; mean (min–max) over seeds ` +
      `${seeds.join(',')}; falseAlarms: share of normal steps above 0.99)`,
    rows,
    [
      'method',
      'score',
      'aucRange',
      'apRange',
      ...ANOMALY_KINDS.map((k) => `auc ${k}`),
      'falseAlarms',
      'stepsPerSecond',
    ],
  );
  finish('anomaly', { backend, env: ENV, steps, skip: SKIP, seeds, rows }, values.json);
}
