// The workers part of the throughput bench: stream steps per second of a whole sharded run
// (ShardedRun, tprop/workers) of S streams with 1 and with 2 worker threads, the same streams
// and agent, alternating, repeated; and each worker's memory. Learning time only: a run's clock
// starts once every worker is set up and stops at its last result (set-up is reported apart).
// The process's RSS is shared by its threads, so a worker's RSS is the rise over the process's
// RSS before the run (sampled at every progress message), divided by the workers. Beside the
// whole run's rate, its steady rate (ShardedRunResult.steadyStepsPerSecond: each worker's later
// half): a fresh worker spends its first seconds warming V8's compilers up, on background threads
// that two busy workers on two cores must take from themselves (docs/experiments.md, row H10).

import { ShardedRun, type ShardedRunResult } from '../../workers/index.js';
import { type Row, printTable, progress } from './report.js';

export interface WorkersPartOptions {
  /** S, the streams of every run; with `perWorker`, the streams of each worker (a run of W workers has W·S). */
  readonly streams: number;
  /** Weak scaling: each worker carries S streams, rather than the W workers sharing S. */
  readonly perWorker: boolean;
  readonly hidden: number;
  /** Steps each stream takes (the run's stream steps are steps × S). */
  readonly steps: number;
  /** Worker counts to compare, in the order they alternate. */
  readonly counts: readonly number[];
  readonly repeats: number;
}

interface Repetition {
  readonly workers: number;
  readonly round: number;
  readonly stepsPerSecond: number;
  /** The sum of the workers' rates over their later halves. */
  readonly steadyStepsPerSecond: number;
  /** Stream steps per second of the process's CPU time while learning (every thread's). */
  readonly perCpuSecond: number;
  readonly seconds: number;
  readonly setupSeconds: number;
  /** The process's RSS before the run and at its highest sample, in MB. */
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  /** Per worker: its thread's V8 heap and external memory and the fused engine's wasm memory, in MB. */
  readonly perWorker: readonly Record<string, number>[];
  readonly metrics: Readonly<Record<string, number>>;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const streamsOf = (options: WorkersPartOptions, workers: number): number =>
  options.perWorker ? options.streams * workers : options.streams;

/** The node flags of this process that change how V8 uses the cores (they apply to every worker). */
const v8Flags = (): string => process.execArgv.filter((f) => f.startsWith('--single-threaded')).join(' ') || 'none';

async function once(options: WorkersPartOptions, workers: number, round: number): Promise<Repetition> {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const run = new ShardedRun({
    environment: { id: 'Reber-v0' },
    agent: { kind: 'predictive', layers: [options.hidden] },
    streams: streamsOf(options, workers),
    workers,
    steps: options.steps,
    seed: 1,
    progressMs: 250,
  });
  run.progress.subscribe(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  });
  const result: ShardedRunResult = await run.start().done;
  rssPeak = Math.max(rssPeak, ...result.workers.map((w) => w.memory.rss));
  return {
    workers,
    round,
    stepsPerSecond: result.stepsPerSecond,
    steadyStepsPerSecond: result.steadyStepsPerSecond,
    perCpuSecond: result.streamSteps / result.cpuSeconds,
    seconds: result.seconds,
    setupSeconds: result.setupSeconds,
    rssBeforeMb: mb(rssBefore),
    rssPeakMb: mb(rssPeak),
    perWorker: result.workers.map((w) => ({
      worker: w.worker,
      streams: w.streams,
      stepsPerSecond: Math.round(w.stepsPerSecond),
      heapUsedMb: mb(w.memory.heapUsed),
      heapTotalMb: mb(w.memory.heapTotal),
      externalMb: mb(w.memory.external),
      kernelWasmMb: mb(w.memory.kernelWasm),
    })),
    metrics: result.metrics,
  };
}

/** Runs the part, prints its table and returns its rows and every repetition. */
export async function workersPart(options: WorkersPartOptions) {
  const repetitions: Repetition[] = [];
  for (let round = 1; round <= options.repeats; round++) {
    for (const workers of options.counts) {
      const r = await once(options, workers, round);
      repetitions.push(r);
      progress(
        `workers ${workers}, ${streamsOf(options, workers)} streams, round ${round}: ` +
          `${r.stepsPerSecond.toFixed(0)} stream steps/s (${r.perCpuSecond.toFixed(0)} per CPU second; ` +
          `${r.steadyStepsPerSecond.toFixed(0)} over the later half), ` +
          `set-up ${r.setupSeconds.toFixed(1)} s`,
      );
    }
  }
  const first = repetitions.filter((r) => r.workers === options.counts[0]);
  const base = median(first.map((r) => r.stepsPerSecond));
  const steadyBase = median(first.map((r) => r.steadyStepsPerSecond));
  const rows: Row[] = options.counts.map((workers) => {
    const mine = repetitions.filter((r) => r.workers === workers);
    const rate = median(mine.map((r) => r.stepsPerSecond));
    const steady = median(mine.map((r) => r.steadyStepsPerSecond));
    const rise = median(mine.map((r) => r.rssPeakMb - r.rssBeforeMb));
    return {
      workers,
      streams: streamsOf(options, workers),
      hidden: options.hidden,
      'stream steps/s': Math.round(rate),
      'per CPU second': Math.round(median(mine.map((r) => r.perCpuSecond))),
      [`× ${options.counts[0]} worker`]: Number((rate / base).toFixed(2)),
      'later half steps/s': Math.round(steady),
      [`later half × ${options.counts[0]} worker`]: Number((steady / steadyBase).toFixed(2)),
      'set-up s': Number(median(mine.map((r) => r.setupSeconds)).toFixed(2)),
      'RSS rise MB / worker': Number((rise / workers).toFixed(1)),
      'heap MB / worker': Number(median(mine.flatMap((r) => r.perWorker.map((w) => w.heapUsedMb!))).toFixed(1)),
      'wasm MB / worker': Number(median(mine.flatMap((r) => r.perWorker.map((w) => w.kernelWasmMb!))).toFixed(1)),
    };
  });
  printTable(
    `Sharded runs (tprop/workers): stream steps per second of the whole run, Reber-v0, ` +
      `${options.streams} streams${options.perWorker ? ' a worker' : ''}, V8 flags ${v8Flags()}, ` +
      `the predictive agent at ${options.hidden} hidden units, ${options.steps} steps a stream; median of ` +
      `${options.repeats} alternating repetitions`,
    rows,
    Object.keys(rows[0] ?? {}),
  );
  return { options, v8Flags: v8Flags(), rows, repetitions };
}
