// What a job of the sequences bench costs, from speeds measured on this project's 2-core machine
// (wasm backend, one job per core, another job beside it): the estimate printed before a run.

import { findTask, jobBudget, type SequenceJob } from './sequence-job.js';

/**
 * Steps per second by method (TP variants share 'tp') on stream tasks, and on labelled tasks
 * (one update per sequence: mostly forward steps). Hidden 128 runs at about half the speed.
 */
const STEPS_PER_SECOND: Record<string, { stream: number; labelled: number }> = {
  tp: { stream: 2000, labelled: 4000 },
  bptt: { stream: 200, labelled: 1000 },
  lstm: { stream: 200, labelled: 1500 },
  floor: { stream: 50000, labelled: 50000 },
};

export function estimateSeconds(job: SequenceJob): number {
  const task = findTask(job.task, job.quick);
  const budget = jobBudget(task, job.fraction);
  const learner = job.method.startsWith('tp') ? 'tp' : job.method.startsWith('bptt') ? 'bptt' : job.method;
  const speed = STEPS_PER_SECOND[learner] ?? STEPS_PER_SECOND.floor!;
  const steps = task.labelled ? budget.sequences! * task.labelled.length : budget.steps!;
  const width = task.hidden / 64;
  return (steps / (task.labelled ? speed.labelled : speed.stream)) * width;
}
