// What a job of the sequences bench costs, in CPU seconds, from per-step costs measured on this
// project's 2-core machine (wasm backend): the CPU times of the full bench of December 2, 2026
// (its JSON's cpuSeconds over steps), the estimate printed before a run. That run took 133 minutes
// of CPU in all (110 for BPTT, the LSTM and the floors, 23 for TP), so about 67 minutes of wall
// time on 2 idle cores; the LSTM takes most of it.

import { findTask, jobBudget, type SequenceJob, testSequences } from './sequence-job.js';

interface StepCost {
  /** Stream tasks: milliseconds per step (each step learns) at hidden 64 and at 128. */
  readonly stream: readonly [number, number];
  /** Labelled tasks: milliseconds per training step at length T (one update per sequence, over T + 2 steps). */
  readonly labelled: (T: number) => number;
  /** Labelled tasks: milliseconds per test step (forward only). */
  readonly test: number;
}

/**
 * Measured: TP 0.17 ms a stream step at 64 and 0.61 at 128; on labelled tasks (the labelled
 * configuration, whose L-DRL costs two more cell passes per step) 0.09 ms a step at T = 10 down to
 * 0.06 at T = 100. The fused BPTT 0.07 and 0.26, and 0.012 on labelled tasks. The tfjs LSTM 3.3
 * and 6.1, and 0.3 at T = 10 down to 0.2 at T = 100. The floors cost next to nothing.
 */
const COSTS: Record<string, StepCost> = {
  tp: { stream: [0.17, 0.61], labelled: (T) => 0.05 + 0.4 / T, test: 0.02 },
  bptt: { stream: [0.07, 0.26], labelled: () => 0.012, test: 0.01 },
  lstm: { stream: [3.3, 6.1], labelled: (T) => 0.19 + 1 / T, test: 0.065 },
  floor: { stream: [0.01, 0.01], labelled: () => 0.01, test: 0.01 },
};

export function estimateSeconds(job: SequenceJob): number {
  const task = findTask(job.task, job.quick, job.budget);
  const budget = jobBudget(task, job.fraction);
  const learner = ['tp', 'bptt', 'lstm'].find((l) => job.method.startsWith(l)) ?? job.method;
  const cost = COSTS[learner] ?? COSTS.floor!;
  // Rehearsal learns four rows a step where the live stream is one: measured, TP about twice the
  // time (4,134 against about 2,000 steps/s at 128 units), the LSTM three times (179 against 57–62).
  const rows = job.method.endsWith('-rehearsed') ? (learner === 'lstm' ? 3 : 2) : 1;
  if (!task.labelled) return (rows * budget.steps! * cost.stream[(task.hidden ?? 64) > 64 ? 1 : 0]) / 1000;
  const T = task.labelled.length;
  return (budget.sequences! * T * cost.labelled(T) + testSequences(job.fraction) * T * cost.test) / 1000;
}
