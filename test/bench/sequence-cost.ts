// What a job of the sequences bench costs, in CPU seconds, from per-step costs measured on this
// project's 2-core machine (wasm backend, December 2026, CPU time of single jobs while the machine
// was shared, so a little above an idle machine's): the estimate printed before a run.
// With BPTT on the tfjs engine the full bench came to 2.4 to 4.1 hours on 2 idle cores; since
// `learner: 'bptt'` runs the fused BPTT (closed-form gradients, about 20 times the steps per
// second), the LSTM takes most of what is left, as `npm run bench -- sequences --estimate` prints.

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
 * Measured: TP 0.5 ms a stream step (0.85 at hidden 128), tfjs BPTT 5.2 (9.8), the LSTM 6.5 (11.8);
 * on temporal order at T = 50 and 100, 0.035 and 0.030 ms a training step for TP, 0.71 and 0.96
 * for BPTT, 0.22 and 0.34 for the LSTM. The floors cost next to nothing.
 */
const COSTS: Record<string, StepCost> = {
  tp: { stream: 0.5, labelled: () => 0.035, test: 0.02 },
  // The fused BPTT: 0.015 ms a training step at T = 100 (15 s of CPU for 10,000 sequences), about
  // 0.35 a stream step at 64 (the throughput bench's 3,200 steps per second at S = 1).
  bptt: { stream: 0.35, labelled: () => 0.015, test: 0.01 },
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
