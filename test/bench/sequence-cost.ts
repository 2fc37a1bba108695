// What a job of the sequences bench costs, in CPU seconds, from per-step costs measured on this
// project's 2-core machine (wasm backend, December 2026, CPU time of single jobs while the machine
// was shared, so a little above an idle machine's): the estimate printed before a run.
// At the full budgets the bench comes to about 2.4 to 4.1 hours on 2 idle cores (BPTT and the
// LSTM take nine tenths of it, temporal order T = 100 and Moby-Dick the most); --budget 0.35
// fits in 90 minutes (51 to 89), as `npm run bench -- sequences --estimate [--budget b]` prints.

import { findTask, jobBudget, type SequenceJob, testSequences } from './sequence-job.js';

interface StepCost {
  /** Stream tasks, hidden 64: milliseconds per step (each step learns). */
  readonly stream: number;
  /** Labelled tasks: milliseconds per training step at length T (one update per sequence, over T + 2 steps). */
  readonly labelled: (T: number) => number;
  /** Labelled tasks: milliseconds per test step (forward only). */
  readonly test: number;
}

/**
 * Measured: TP 0.5 ms a stream step (0.85 at hidden 128), BPTT 5.2 (9.8), the LSTM 6.5 (11.8);
 * on temporal order at T = 50 and 100, 0.035 and 0.030 ms a training step for TP, 0.71 and 0.96
 * for BPTT, 0.22 and 0.34 for the LSTM. The floors cost next to nothing.
 */
const COSTS: Record<string, StepCost> = {
  tp: { stream: 0.5, labelled: () => 0.035, test: 0.02 },
  bptt: { stream: 5.2, labelled: (T) => 0.45 + 0.005 * T, test: 0.13 },
  lstm: { stream: 6.5, labelled: (T) => 0.1 + 0.0024 * T, test: 0.065 },
  floor: { stream: 0.01, labelled: () => 0.01, test: 0.01 },
};
/** Stream steps at hidden 128 cost about 1.8 times those at 64. */
const WIDE = 1.8;

export function estimateSeconds(job: SequenceJob): number {
  const task = findTask(job.task, job.quick, job.budget);
  const budget = jobBudget(task, job.fraction);
  const learner = job.method.startsWith('tp') ? 'tp' : job.method.startsWith('bptt') ? 'bptt' : job.method;
  const cost = COSTS[learner] ?? COSTS.floor!;
  if (!task.labelled) return (budget.steps! * cost.stream * ((task.hidden ?? 64) > 64 ? WIDE : 1)) / 1000;
  const T = task.labelled.length;
  return (budget.sequences! * T * cost.labelled(T) + testSequences(job.fraction) * T * cost.test) / 1000;
}
