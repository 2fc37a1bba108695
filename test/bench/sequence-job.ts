// One job of the sequences bench: one method learning one task from one seed at one step size,
// on the whole stream or a prefix of it. A job depends on nothing but its description, so the
// same job gives the same figures in this process or in a child process.

import { PredictiveAgent } from '../../agents/predictive-agent.js';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import type { SpaceValue } from '../../src/environment/space.js';
import { resolveOptimizerSpec } from '../../src/optim/optimizer.js';
import { runLoop } from './run-agent-loop.js';
import { methodOptions, sequenceTasks, type Task } from './sequence-tasks.js';

export interface SequenceJob {
  readonly task: string;
  readonly quick: boolean;
  /** Multiplies the full budgets (sequenceTasks). */
  readonly budget: number;
  readonly method: string;
  readonly seed: number;
  /** Set as optimizer.learningRate; null keeps the method's own. */
  readonly learningRate: number | null;
  /** Share of the task's steps (or sequences) run: 1, or the sweep's prefix. */
  readonly fraction: number;
}

export interface SequenceResult {
  readonly value: number;
  /** Adding only: the mean squared error of the answers. */
  readonly testMse?: number;
  readonly steps: number;
  /** Training time (the test sequences of labelled tasks excluded). */
  readonly seconds: number;
  /**
   * CPU time of the whole job, test included: what the job costs on an idle core, whatever else
   * the machine runs (the wall time of a shared machine says more about the others).
   */
  readonly cpuSeconds: number;
}

/** Test sequences of a labelled task: 1,000, or 500 on a prefix, whose figure only ranks step sizes. */
export function testSequences(fraction: number): number {
  return fraction < 1 ? 500 : 1000;
}

export function findTask(name: string, quick: boolean, budget: number): Task {
  const task = sequenceTasks(quick, budget).find((t) => t.task === name);
  if (!task) throw new Error(`sequences bench: expected a task name, but got "${name}"`);
  return task;
}

/** The steps, sequences and metric window a job runs: the task's, or its share of them. */
export function jobBudget(task: Task, fraction: number): { steps?: number; sequences?: number; metricWindow?: number } {
  const part = (n: number | undefined): number | undefined =>
    n === undefined ? n : Math.max(1, Math.round(n * fraction));
  if (task.labelled) return { sequences: part(task.sequences) };
  const steps = part(task.steps)!;
  // A prefix scores over its own last quarter at most, so the figure is of what it learned.
  const window = task.metricWindow!;
  return { steps, metricWindow: fraction < 1 ? Math.min(window, Math.ceil(steps / 4)) : window };
}

/**
 * The step size `method` runs at on `task` when the bench sets none: TP's encoders' as the agent
 * resolves it (it follows the defaults wherever they are set), the backpropagation baselines'
 * documented adam default (0.001, BPTT's optimiser and the LSTM's alike); null for the floors.
 */
export function defaultLearningRate(method: string, task: Task): number | null {
  const options = methodOptions(method, task, 0, null);
  if (options.optimizer?.learningRate !== undefined) return options.optimizer.learningRate;
  if (options.learner === 'tp') {
    const agent = new PredictiveAgent(makeEnvironment(task.env, task.envOptions).observationSpace, options);
    const rate = agent.stack!.options.optimizer.learningRate;
    agent.dispose();
    return rate;
  }
  return options.learner === 'bptt' || options.learner === 'lstm' ? resolveOptimizerSpec().learningRate : null;
}

function hideLabel(observation: SpaceValue): SpaceValue {
  const { label: _label, ...rest } = observation as Record<string, SpaceValue>;
  return rest;
}

export function runSequenceJob(job: SequenceJob): SequenceResult {
  const task = findTask(job.task, job.quick, job.budget);
  const budget = jobBudget(task, job.fraction);
  const env = makeEnvironment(task.env, task.envOptions);
  const options = methodOptions(job.method, task, job.seed, job.learningRate);
  const agent = new PredictiveAgent(env.observationSpace, {
    ...options,
    ...(budget.metricWindow === undefined ? {} : { metricWindow: budget.metricWindow }),
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let steps: number;
  let value: number;
  let seconds: number;
  let testMse: number | undefined;
  if (task.labelled) {
    steps = runLoop(agent, env, { episodes: budget.sequences!, seed: job.seed });
    seconds = (performance.now() - started) / 1000;
    const test = makeEnvironment(task.env, task.envOptions);
    let hits = 0;
    let count = 0;
    let squaredError = 0;
    runLoop(agent, test, {
      episodes: testSequences(job.fraction),
      seed: job.seed + 1000,
      view: hideLabel,
      onStep: (t, a) => {
        const label = (t.observation as Record<string, unknown>).label;
        if (label === undefined) return;
        const p = a.predict().find((m) => m.name === 'label')!.values;
        if (task.labelled!.kind === 'categorical') {
          let best = 0;
          for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
          if (best === label) hits++;
        } else {
          const error = p[0]! - (label as Float32Array)[0]!;
          if (Math.abs(error) < 0.04) hits++;
          squaredError += error * error;
        }
        count++;
      },
    });
    value = hits / count;
    if (task.labelled.kind === 'continuous') testMse = squaredError / count;
  } else {
    steps = runLoop(agent, env, { steps: budget.steps!, seed: job.seed });
    seconds = (performance.now() - started) / 1000;
    value = agent.metrics()[task.metric] ?? NaN;
  }
  agent.dispose();
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { value, steps, seconds, cpuSeconds, ...(testMse === undefined ? {} : { testMse }) };
}
