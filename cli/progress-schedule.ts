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
  // The largest anomaly score of each modality since the last sample: what a line must not miss.
  let peaks: Record<string, number> = {};
  const sample = (): ProgressSample => {
    const { step, stepsPerSecond } = run.state();
    const anomaly = peaks;
    peaks = {};
    return { step, total: options.total, stepsPerSecond, metrics: { ...agent.metrics() }, anomaly };
  };
  const { everySteps } = options;
  // Events come from inside the run's step, after the agent has observed (and learned).
  const subscription = run.events.subscribe({
    next: ({ outcome }) => {
      for (const [name, score] of Object.entries(outcome.anomaly ?? {}))
        if (!(score <= (peaks[name] ?? -1))) peaks[name] = score;
      if (everySteps !== undefined && run.state().step % everySteps === 0) reporter.progress(sample());
    },
    // The run's error reaches the command through `done`.
    error: () => undefined,
  });
  if (everySteps !== undefined) return () => subscription.unsubscribe();
  const timer = setInterval(() => reporter.progress(sample()), reporter.intervalMs);
  return () => {
    clearInterval(timer);
    subscription.unsubscribe();
  };
}
