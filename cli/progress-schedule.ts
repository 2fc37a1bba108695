// When a run reports progress: by the clock (the reporter's interval), or every N steps with
// --progress-steps, counted exactly on the run's step events so that runs can be compared.

import type { Agent, LiveRun } from 'tprop';
import type { ProgressReporter, ProgressSample } from './progress.js';

export interface ProgressScheduleOptions {
  /** The step limit, shown as a total. */
  readonly total: number | null;
  /** Report every this many steps instead of by the clock. */
  readonly everySteps: number | undefined;
}

/** Starts reporting `run`'s progress to `reporter`; returns the function that stops it. */
export function scheduleProgress(
  run: LiveRun,
  agent: Agent,
  reporter: ProgressReporter,
  options: ProgressScheduleOptions,
): () => void {
  const sample = (): ProgressSample => {
    const { step, stepsPerSecond } = run.state();
    return { step, total: options.total, stepsPerSecond, metrics: { ...agent.metrics() } };
  };
  const { everySteps } = options;
  if (everySteps !== undefined) {
    // Events come from inside the run's step, after the agent has observed (and learned).
    const subscription = run.events.subscribe({
      next: () => {
        if (run.state().step % everySteps === 0) reporter.progress(sample());
      },
      // The run's error reaches the command through `done`.
      error: () => undefined,
    });
    return () => subscription.unsubscribe();
  }
  const timer = setInterval(() => reporter.progress(sample()), reporter.intervalMs);
  return () => clearInterval(timer);
}
