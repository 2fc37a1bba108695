// Throughput bench: online steps per second of target propagation (the recurrent stack on the
// fused kernels and on tfjs) against BPTT (tfjs autodiff) on the same architecture, window and
// stream, for hidden sizes 64, 128 and 256 and batches of 1 and 16 streams, in one process; and
// the LSTM baseline (one update per step only), whose predictions are computed on reading, so
// its row reads them at every step as an agent does.
// Ratios are taken within a run, side by side, because this machine's speed drifts.
//   npm run bench -- throughput [--seconds 3] [--window 16] [--json]

import { parseArgs } from 'node:util';
import { LstmBackprop } from '../../src/baselines/lstm-backprop.js';
import { RecurrentBackprop } from '../../src/baselines/recurrent-backprop.js';
import { initEngine } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { RecurrentStack } from '../../src/learner/recurrent-stack.js';
import type { SequenceLearner } from '../../src/learner/sequence-learner.js';
import { finish, printTable, progress, type Row } from './report.js';

const SYMBOLS = 8;

/** Steps per second of `learner` on a seeded random symbol stream, after a warm-up. */
function measure(learner: SequenceLearner, streams: number, seconds: number, read = false): number {
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
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 10; i++) step();
    steps += 10;
  }
  return (steps * streams) / ((performance.now() - start) / 1000);
}

export async function throughputBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '3' },
      window: { type: 'string', default: '16' },
      sizes: { type: 'string', default: '64,128,256' },
      batches: { type: 'string', default: '1,16' },
      json: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const window = Number(values.window);
  const backend = await initEngine({ report: progress });
  const rows: Row[] = [];
  for (const hidden of values.sizes.split(',').map(Number)) {
    for (const streams of values.batches.split(',').map(Number)) {
      for (const updateEvery of [1, window]) {
        const input = { kind: 'categorical' as const, size: SYMBOLS };
        const common = { input, layers: [hidden], window, updateEvery, streams, seed: 1 };
        const run = (name: string, make: () => SequenceLearner, read = false): number => {
          const learner = make();
          const rate = measure(learner, streams, seconds, read);
          learner.dispose();
          progress(
            `hidden ${hidden}, batch ${streams}, update every ${updateEvery}: ${name} ${rate.toFixed(0)} steps/s`,
          );
          return rate;
        };
        const tpFused = run('tp (fused)', () => new RecurrentStack({ ...common, engine: 'fused' }));
        const tpTfjs = run('tp (tfjs)', () => new RecurrentStack({ ...common, engine: 'tfjs' }));
        const bptt = run('bptt (tfjs)', () => new RecurrentBackprop(common));
        const lstm =
          updateEvery === 1
            ? run('lstm (tfjs)', () => new LstmBackprop({ input, units: hidden, window, streams, seed: 1 }), true)
            : null;
        rows.push({
          hidden,
          batch: streams,
          updateEvery,
          window,
          tpFused: Math.round(tpFused),
          tpTfjs: Math.round(tpTfjs),
          bptt: Math.round(bptt),
          lstm: lstm === null ? null : Math.round(lstm),
          tpOverBptt: Math.max(tpFused, tpTfjs) / bptt,
          fusedOverTfjs: tpFused / tpTfjs,
        });
      }
    }
  }
  printTable(
    `Online steps per second (stream steps; a batch of 16 counts 16), window ${window}, backend ${backend}`,
    rows,
    ['hidden', 'batch', 'updateEvery', 'tpFused', 'tpTfjs', 'bptt', 'lstm', 'tpOverBptt', 'fusedOverTfjs'],
  );
  finish('throughput', { backend, window, seconds, rows }, values.json);
}
