// Throughput bench: online steps per second of target propagation (the recurrent stack with the
// tanh layer on the fused kernels and on tfjs, and with the gated layer on the fused kernels)
// against BPTT on the same architecture, window and stream, both by tfjs autodiff and with
// closed-form gradients on the same fused kernels as TP, and against the LSTM baseline (which
// updates at every step whatever S is, and computes its predictions on reading, so its rows read
// them at every step as an agent does), for each hidden size and batch, in one process.
// The machine is shared and its speed drifts, so the methods run in turn, the round is repeated
// (3 times by default), and each figure is the median of its repetitions; ratios are taken
// between medians of the same configuration. The JSON keeps every repetition.
// Then brain.js 1.6.1's LSTM beside tprop's PredictiveAgent on the same Reber strings
// (throughput-brain.ts), the roofline: the fused engine's best product, in GFLOP/s, and a whole
// sharded run with 1 and 2 worker threads (throughput-workers.ts).
//   npm run bench -- throughput [--seconds 3] [--window 16] [--sizes 64,128,256] [--batches 1,16]
//                              [--repeats 3] [--methods tpFused,tpGated,...] [--parts steps,brain,roofline,workers]
//                              [--brain-sizes 64,128] [--brain-symbols 6000]
//                              [--workers 1,2] [--workers-streams 16] [--workers-hidden 64] [--workers-steps 40000]
//                              [--workers-per-worker] [--single-threaded]
// (--workers-per-worker: each worker carries --workers-streams streams, weak scaling; --single-threaded:
// the bench reruns itself under node --single-threaded, V8 without background threads, which every
// worker shares.)
//                              [--json]

import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { FusedRecurrentBackprop } from '../../src/baselines/fused-recurrent-backprop.js';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { RecurrentBackprop } from '../../src/baselines/recurrent-backprop.js';
import { RecurrentStack } from '../../src/learner/recurrent-stack.js';
import type { SequenceLearner } from '../../src/learner/sequence-learner.js';
import { countEngineCalls, engineCounts, initEngine, resetEngineCounts } from '../../src/math/index.js';
import { simdFusedEngine } from '../../src/math/fused-engine.js';
import { brainRate, reberStrings, stepCounts, tpropRate } from './throughput-brain.js';
import { workersPart } from './throughput-workers.js';
import { Rng } from '../../src/random.js';
import { type Row, finish, printTable, progress } from './report.js';

const SYMBOLS = 8;

/**
 * Steps per second of `learner` on a seeded random symbol stream, after a warm-up: per second of
 * wall time, and per second of this process's CPU time (which the other loads of a shared
 * machine disturb far less).
 */
function measure(learner: SequenceLearner, streams: number, seconds: number, read = false): Rate {
  const rng = new Rng(1);
  const input = (): Float32Array => {
    const x = new Float32Array(streams * SYMBOLS);
    for (let r = 0; r < streams; r++) x[r * SYMBOLS + rng.int(SYMBOLS)] = 1;
    return x;
  };
  const step = (): void => {
    learner.step(input());
    if (read) learner.readPredictions();
  };
  for (let i = 0; i < 50; i++) step();
  let steps = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 10; i++) step();
    steps += 10;
  }
  const used = process.cpuUsage(cpu);
  return {
    wall: (steps * streams) / ((performance.now() - start) / 1000),
    cpu: (steps * streams) / ((used.user + used.system) / 1e6),
  };
}

/**
 * Floating-point operations of the matrix products per stream step of a learner (the engine
 * counter's count over 48 steps, a whole number of passes at S = 1, 2, 4, 8 and 16, after a
 * warm-up, divided by the stream steps): what a row's rate
 * reads against the roofline with. Null for a learner not on the counted engines (tfjs autodiff).
 */
function flopsPerStep(make: () => SequenceLearner, streams: number): number | null {
  countEngineCalls(true);
  try {
    const learner = make();
    const rng = new Rng(1);
    const step = (): void => {
      const x = new Float32Array(streams * SYMBOLS);
      for (let r = 0; r < streams; r++) x[r * SYMBOLS + rng.int(SYMBOLS)] = 1;
      learner.step(x);
    };
    for (let i = 0; i < 50; i++) step();
    resetEngineCounts();
    for (let i = 0; i < 48; i++) step();
    const { flops } = engineCounts();
    learner.dispose();
    return flops > 0 ? flops / (48 * streams) : null;
  } finally {
    countEngineCalls(false);
  }
}

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

const CLOCKS = ['wall', 'cpu'] as const;
type Clock = (typeof CLOCKS)[number];

interface Setting {
  readonly hidden: number;
  readonly streams: number;
  readonly updateEvery: number;
  readonly window: number;
}

/** The methods, by column name: how to make each learner, and whether its row reads predictions. */
const METHODS: Record<string, { make: (s: Setting) => SequenceLearner; read?: boolean }> = {
  tpFused: { make: (s) => new RecurrentStack({ ...common(s), engine: 'fused' }) },
  tpGated: {
    make: (s) => new RecurrentStack({ ...common(s), layers: [{ size: s.hidden, cell: 'gated' }], engine: 'fused' }),
  },
  tpTfjs: { make: (s) => new RecurrentStack({ ...common(s), engine: 'tfjs' }) },
  bptt: { make: (s) => new RecurrentBackprop(common(s)) },
  bpttFused: { make: (s) => new FusedRecurrentBackprop({ ...common(s), engine: 'fused' }) },
  lstm: {
    make: (s) => new LstmBackprop({ input: INPUT, units: s.hidden, window: s.window, streams: s.streams, seed: 1 }),
    read: true,
  },
};

const INPUT = { kind: 'categorical' as const, size: SYMBOLS };

function common(s: Setting) {
  return {
    input: INPUT,
    layers: [s.hidden],
    window: s.window,
    updateEvery: s.updateEvery,
    streams: s.streams,
    seed: 1,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** a / b, or null when either is missing. */
const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined ? null : a / b;

export async function throughputBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '3' },
      window: { type: 'string', default: '16' },
      sizes: { type: 'string', default: '64,128,256' },
      batches: { type: 'string', default: '1,16' },
      repeats: { type: 'string', default: '3' },
      methods: { type: 'string', default: Object.keys(METHODS).join(',') },
      parts: { type: 'string', default: 'steps,brain,roofline,workers' },
      'brain-sizes': { type: 'string', default: '64,128' },
      'brain-symbols': { type: 'string', default: '6000' },
      workers: { type: 'string', default: '1,2' },
      'workers-streams': { type: 'string', default: '16' },
      'workers-per-worker': { type: 'boolean', default: false },
      'single-threaded': { type: 'boolean', default: false },
      'workers-hidden': { type: 'string', default: '64' },
      'workers-steps': { type: 'string', default: '40000' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values['single-threaded'] && !process.execArgv.includes('--single-threaded')) {
    const args = ['--single-threaded', '--import', 'tsx', new URL('./index.ts', import.meta.url).pathname];
    const child = spawnSync(process.execPath, [...args, 'throughput', ...argv], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`throughput: the --single-threaded run exited with ${child.status}`);
    return;
  }
  const seconds = Number(values.seconds);
  const window = Number(values.window);
  const repeats = Number(values.repeats);
  const methods = values.methods.split(',');
  for (const m of methods)
    if (!METHODS[m]) throw new Error(`throughput: expected methods among ${Object.keys(METHODS)}, but got "${m}"`);
  const backend = await initEngine({ report: progress });
  const parts = values.parts.split(',');
  // First, so that each TP row can read as a share of it.
  const roofline = parts.includes('roofline') ? rooflinePart(repeats) : null;
  const peak = roofline ? Math.max(...roofline.map((r) => r['GFLOP/s'] as number)) : null;
  const rows: Record<Clock, Row[]> = { wall: [], cpu: [] };
  const repetitions: Record<string, unknown>[] = [];
  for (const hidden of parts.includes('steps') ? values.sizes.split(',').map(Number) : []) {
    for (const streams of values.batches.split(',').map(Number)) {
      for (const updateEvery of [1, window]) {
        const setting: Setting = { hidden, streams, updateEvery, window };
        const rates: Record<string, Rate[]> = Object.fromEntries(methods.map((m) => [m, []]));
        for (let rep = 0; rep < repeats; rep++) {
          for (const name of methods) {
            const method = METHODS[name]!;
            const learner = method.make(setting);
            const rate = measure(learner, streams, seconds, method.read ?? false);
            learner.dispose();
            rates[name]!.push(rate);
            const where = `hidden ${hidden}, batch ${streams}, S ${updateEvery}, round ${rep + 1}`;
            progress(`${where}: ${name} ${rate.wall.toFixed(0)} steps/s (${rate.cpu.toFixed(0)} per CPU second)`);
          }
        }
        const flops = Object.fromEntries(
          ['tpFused', 'tpGated']
            .filter((m) => methods.includes(m))
            .map((m) => [m, flopsPerStep(() => METHODS[m]!.make(setting), streams)]),
        );
        repetitions.push({ hidden, batch: streams, updateEvery, rates, flopsPerStep: flops });
        for (const clock of CLOCKS) {
          const med: Record<string, number> = Object.fromEntries(
            methods.map((m) => [m, median(rates[m]!.map((r) => r[clock]))]),
          );
          rows[clock].push({
            clock,
            hidden,
            batch: streams,
            updateEvery,
            window,
            ...Object.fromEntries(methods.map((m) => [m, Math.round(med[m]!)])),
            tpOverBptt: ratio(med.tpFused, med.bptt),
            tpOverBpttFused: ratio(med.tpFused, med.bpttFused),
            tpOverLstm: ratio(med.tpFused, med.lstm),
            gatedOverLstm: ratio(med.tpGated, med.lstm),
            fusedOverTfjs: ratio(med.tpFused, med.tpTfjs),
            // The gated row's products in GFLOP/s, and as a share of the roofline measured above.
            tpGatedGflops: flops.tpGated ? Number(((flops.tpGated * med.tpGated!) / 1e9).toFixed(2)) : null,
            tpGatedRoofline:
              flops.tpGated && peak ? Number(((flops.tpGated * med.tpGated!) / 1e9 / peak).toFixed(3)) : null,
          });
        }
      }
    }
  }
  const columns = [
    'hidden',
    'batch',
    'updateEvery',
    ...methods,
    'tpOverBptt',
    'tpOverBpttFused',
    'tpOverLstm',
    'gatedOverLstm',
    'fusedOverTfjs',
    ...(methods.includes('tpGated') ? ['tpGatedGflops', 'tpGatedRoofline'] : []),
  ];
  const what = `window ${window}, backend ${backend}, median of ${repeats} alternating repetitions of ${seconds} s`;
  if (rows.wall.length > 0) {
    printTable(`Online steps per second (stream steps; a batch of 16 counts 16), ${what}`, rows.wall, columns);
    printTable(
      `The same, per second of the process's CPU time (less disturbed by a shared machine)`,
      rows.cpu,
      columns,
    );
  }
  const brain = parts.includes('brain')
    ? await brainPart(values['brain-sizes'].split(',').map(Number), Number(values['brain-symbols']), repeats)
    : null;
  const workers = parts.includes('workers')
    ? await workersPart({
        streams: Number(values['workers-streams']),
        perWorker: values['workers-per-worker'] === true,
        hidden: Number(values['workers-hidden']),
        steps: Number(values['workers-steps']),
        counts: values.workers.split(',').map(Number),
        repeats,
      })
    : null;
  finish(
    'throughput',
    { backend, window, seconds, repeats, rows: rows.wall, cpuRows: rows.cpu, repetitions, brain, roofline, workers },
    values.json,
  );
}

/** brain.js's LSTM and tprop's agent on the same Reber symbols, in turn, `repeats` times per size after a warm-up. */
async function brainPart(sizes: readonly number[], symbols: number, repeats: number) {
  const strings = reberStrings(symbols);
  const total = strings.reduce((a, s) => a + s.length, 0);
  const rows: Row[] = [];
  const runs: Record<string, unknown>[] = [];
  for (const hidden of sizes) {
    const brain: number[] = [];
    const tprop: number[] = [];
    // One untimed round of each first: tprop's first run of 6,000 symbols ran about a third slower
    // than the next ones (V8 and the wasm tiers warming up), brain.js's by 1–2% (docs/experiments.md, row H9).
    brainRate(strings, hidden);
    await tpropRate(total, hidden);
    for (let rep = 0; rep < repeats; rep++) {
      brain.push(brainRate(strings, hidden));
      tprop.push(await tpropRate(total, hidden));
      progress(
        `brain.js against tprop, hidden ${hidden}, round ${rep + 1}: ` +
          `${brain.at(-1)!.toFixed(0)}, ${tprop.at(-1)!.toFixed(0)}`,
      );
    }
    runs.push({ hidden, symbols: total, brain, tprop });
    const counts = stepCounts(hidden);
    rows.push({
      hidden,
      symbols: total,
      'calls/step': counts.calls,
      'matrices/step': counts.matrices,
      'KB/step': Number(counts.kilobytes.toFixed(1)),
      'brain.js LSTM': Math.round(median(brain)),
      'tprop agent, S 1': Math.round(median(tprop)),
      'tprop / brain.js': ratio(median(tprop), median(brain)),
    });
  }
  printTable(
    'Reber symbols learned per second, each once (brain.js 1.6.1: train calls per string; tprop: ' +
      `runAgent, the whole loop); median of ${repeats}`,
    rows,
    [
      'hidden',
      'symbols',
      'brain.js LSTM',
      'tprop agent, S 1',
      'tprop / brain.js',
      'calls/step',
      'matrices/step',
      'KB/step',
    ],
  );
  return { rows, runs };
}

/** The fused engine's best matrix product here, in GFLOP/s: the roofline each TP row reads against. */
function rooflinePart(repeats: number) {
  const e = simdFusedEngine;
  if (!e) return null;
  const rng = new Rng(3);
  const rows: Row[] = [];
  for (const [m, k, n] of [
    [16, 256, 256],
    [64, 256, 256],
    [256, 256, 256],
  ] as const) {
    const a = e.matrix(
      Float32Array.from({ length: m * k }, () => rng.normal()),
      m,
      k,
    );
    const w = e.parameter(
      Float32Array.from({ length: k * n }, () => rng.normal()),
      k,
      n,
    );
    const rates: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      let calls = 0;
      const start = performance.now();
      while (performance.now() - start < 300) {
        e.scope(() => e.matMul(a, w));
        calls++;
      }
      rates.push((2 * m * k * n * calls) / ((performance.now() - start) / 1000) / 1e9);
    }
    e.free([a, w]);
    rows.push({ product: `[${m},${k}]·[${k},${n}]`, 'GFLOP/s': Number(median(rates).toFixed(2)), rates });
  }
  printTable('Roofline: the fused engine (WebAssembly SIMD) matrix product, one core', rows, ['product', 'GFLOP/s']);
  return rows;
}
