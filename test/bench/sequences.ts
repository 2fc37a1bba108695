// Sequences bench: target propagation with the agent's defaults (tp), BPTT on the same recurrent
// architecture and an LSTM trained by BPTT, each learning online from the same seeded streams
// for the same number of steps (or sequences); the floors beside them: the add-one order-2
// n-gram on the symbol streams, repeat-last and linear extrapolation on the continuous ones.
//   npm run bench -- sequences [--tasks a,b] [--methods a,b] [--seeds 1,2,3] [--no-sweep] [--jobs 2]
//                              [--budget 1] [--sweep-prefix 1] [--quick] [--json]
// --budget scales every task's steps, sequences and metric window; --quick (seeds 1,2 unless
// --seeds says otherwise) runs small budgets that check the bench, not what the methods learn.
// Every method with a step size is first swept over the same step sizes (SWEEP) on the first seed
// (the whole task, or a prefix of it with --sweep-prefix); then each runs on every seed at its own
// default and at its best step size of the sweep. A row reports the mean and range over the seeds. The step size is
// optimizer.learningRate: all of BPTT's and the LSTM's parameters, TP's encoders (TP's decoders and
// readout keep their own steps, as the agent's defaults set them).
// Stream tasks report a prequential metric over the last predictions (1,000; 5,000 on the regime
// switches, 10,000 on Moby-Dick); labelled tasks (temporal order, adding) report accuracy on 1,000
// fresh test sequences after a budget of training sequences, with the label hidden at test time
// (adding: the share of answers within 0.04 of the sum, and the test MSE; predicting the mean
// gives about 0.08 and 0.17). Jobs are independent and seeded: --jobs N runs them in N children.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { initEngine } from '../../src/math/index.js';
import { runJobs } from './job-pool.js';
import { finish, meanRange, printTable, progress, type Row, summarize } from './report.js';
import { estimateSeconds } from './sequence-cost.js';
import {
  defaultLearningRate,
  jobBudget,
  runSequenceJob,
  type SequenceJob,
  type SequenceResult,
} from './sequence-job.js';
import { DEFAULT_METHODS, METHODS, SWEEP, sequenceTasks, type Task } from './sequence-tasks.js';

/**
 * Share of each task the sweep runs on (from the first seed), by default the whole task: a quarter
 * of each stream favoured large step sizes that lose over the whole stream (docs/experiments.md,
 * row 40). At 1 the sweep's runs are the first seed's runs at those step sizes, so the sweep costs
 * about as much as the quarter did (each method's best needs two more seeds, not three).
 */
const SWEEP_PREFIX = 1;
const WORKER = new URL('./sequence-worker.ts', import.meta.url);

interface Plan {
  readonly task: Task;
  readonly method: string;
  /** The method's own step size (null for a method without one). */
  readonly own: number | null;
  readonly tuned: boolean;
}

const isBetter = (task: Task, a: number, b: number): boolean =>
  Number.isFinite(a) && (!Number.isFinite(b) || (task.higherIsBetter ? a > b : a < b));

function duration(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}

export async function sequencesBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: 'string' },
      methods: { type: 'string', default: DEFAULT_METHODS.join(',') },
      seeds: { type: 'string' },
      budget: { type: 'string', default: '1' },
      'no-sweep': { type: 'boolean', default: false },
      'sweep-prefix': { type: 'string', default: String(SWEEP_PREFIX) },
      jobs: { type: 'string', default: String(Math.min(2, availableParallelism())) },
      quick: { type: 'boolean', default: false },
      estimate: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  // Two seeds are enough to see that the means and ranges come out while iterating.
  const seedList = values.seeds ?? (quick ? '1,2' : '1,2,3');
  const seeds = seedList.split(',').map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s)))
    throw new Error(`sequences bench: expected --seeds to be integers separated by commas, but got "${seedList}"`);
  const budget = Number(values.budget);
  if (!(budget > 0))
    throw new Error(`sequences bench: expected --budget to be a number > 0, but got "${values.budget}"`);
  const prefix = Number(values['sweep-prefix']);
  if (!(prefix > 0 && prefix <= 1))
    throw new Error(
      `sequences bench: expected --sweep-prefix to be a share in (0, 1], but got "${values['sweep-prefix']}"`,
    );
  const workers = Number(values.jobs);
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`sequences bench: expected --jobs to be an integer >= 1, but got "${values.jobs}"`);
  const methods = values.methods.split(',');
  for (const m of methods)
    if (!METHODS[m])
      throw new Error(`sequences bench: expected methods among ${Object.keys(METHODS).join(', ')}, but got "${m}"`);
  const all = sequenceTasks(quick, budget);
  const chosen = values.tasks
    ? all.filter((t) =>
        // A name or its start, whole numbers only: 'temporal-order T=10' is not T=100.
        values.tasks!.split(',').some((name) => t.task.startsWith(name) && !/\d/.test(t.task[name.length] ?? '')),
      )
    : all;
  const backend = await initEngine({ report: progress });
  const sweep = !values['no-sweep'];
  const plans: Plan[] = chosen.flatMap((task) =>
    methods
      .filter((method) => METHODS[method]!.on.includes(task.kind))
      .map((method) => {
        const own = defaultLearningRate(method, task);
        return { task, method, own, tuned: sweep && METHODS[method]!.tunable };
      }),
  );

  const job = (plan: Plan, seed: number, learningRate: number | null, fraction: number): SequenceJob => ({
    task: plan.task.task,
    quick,
    budget,
    method: plan.method,
    seed,
    learningRate,
    fraction,
  });
  const key = (j: SequenceJob): string => JSON.stringify(j);
  // A tuned method's own step size, when the sweep has it, runs as that step size, so that the
  // run is shared with the sweep's (the same options either way).
  const ownRate = (plan: Plan): number | null =>
    plan.tuned && plan.own !== null && SWEEP.includes(plan.own) ? plan.own : null;
  const done = new Map<string, SequenceResult>();
  const run = async (jobs: SequenceJob[]): Promise<void> => {
    // Longest first, so that two workers end close together.
    const fresh = jobs.filter((j) => !done.has(key(j))).sort((a, b) => estimateSeconds(b) - estimateSeconds(a));
    await runJobs(fresh, workers, WORKER, runSequenceJob, (j, r) => {
      done.set(key(j), r);
      const rate = j.learningRate === null ? 'own step' : `step ${j.learningRate}`;
      progress(
        `${j.task} ${j.method} seed ${j.seed} ${rate}${j.fraction < 1 ? ' (sweep prefix)' : ''}: ` +
          `${Number(r.value).toFixed(4)} (${Math.round(r.steps / r.seconds)} steps/s, ${r.seconds.toFixed(1)} s, ` +
          `${r.cpuSeconds.toFixed(1)} s of CPU)`,
      );
    });
  };

  // 1. What does not depend on the sweep: the sweep itself, and every method at its own step size
  // (a job shared by both runs once).
  const first = [
    ...new Map(
      plans
        .flatMap((plan) => [
          ...(plan.tuned ? SWEEP.map((rate) => job(plan, seeds[0]!, rate, prefix)) : []),
          ...seeds.map((seed) => job(plan, seed, ownRate(plan), 1)),
        ])
        .map((j) => [key(j), j]),
    ).values(),
  ];
  // 2. Each tuned method on every seed at its best step size, unless that is its own: as many
  // jobs as these at most (the first seed's is the sweep's when the sweep runs the whole task),
  // or none for a method whose own step size is among SWEEP and wins.
  const tuned = plans.filter((p) => p.tuned);
  const bestSeeds = prefix === 1 ? seeds.slice(1) : seeds;
  const cpu = (some: Plan[]): number =>
    some.reduce((s, p) => s + bestSeeds.reduce((t, seed) => t + estimateSeconds(job(p, seed, SWEEP[0]!, 1)), 0), 0);
  const [least, most] = [cpu(tuned.filter((p) => !SWEEP.includes(p.own!))), cpu(tuned)];
  const before = first.reduce((s, j) => s + estimateSeconds(j), 0);
  progress(
    `sequences: ${plans.length} task × method pairs, seeds ${seeds.join(',')}, ` +
      (sweep ? `sweep ${SWEEP.join(', ')} on ${prefix * 100}% from seed ${seeds[0]}` : 'no sweep') +
      `, ${workers} job(s) at a time. Estimated CPU: ${duration(before)} for the sweep and the own step sizes, ` +
      `${duration(least)} to ${duration(most)} for the best ones; so ${duration((before + least) / workers)} to ` +
      `${duration((before + most) / workers)} of wall time on ${workers} idle core(s)`,
  );
  if (values.estimate) return;
  const started = performance.now();
  await run(first);
  const best = new Map<Plan, number>();
  for (const plan of plans.filter((p) => p.tuned)) {
    let rate = SWEEP[0]!;
    for (const r of SWEEP) {
      const value = done.get(key(job(plan, seeds[0]!, r, prefix)))!.value;
      if (isBetter(plan.task, value, done.get(key(job(plan, seeds[0]!, rate, prefix)))!.value)) rate = r;
    }
    best.set(plan, rate);
  }
  await run(
    [...best]
      .filter(([plan, rate]) => rate !== plan.own)
      .flatMap(([plan, rate]) => seeds.map((s) => job(plan, s, rate, 1))),
  );

  const rows: Row[] = [];
  for (const plan of plans) {
    const { task, method } = plan;
    const sweepValues = plan.tuned
      ? SWEEP.map((r) => ({ learningRate: r, value: done.get(key(job(plan, seeds[0]!, r, prefix)))!.value }))
      : null;
    const settings: [string, number | null][] = [['own', null]];
    if (plan.tuned) settings.push(['best', best.get(plan)!]);
    for (const [setting, rate] of settings) {
      const results = seeds.map(
        (s) => done.get(key(job(plan, s, rate === null || rate === plan.own ? ownRate(plan) : rate, 1)))!,
      );
      const perSeed = results.map((r) => r.value);
      const stats = summarize(perSeed);
      const mse = results.every((r) => r.testMse !== undefined) ? results.map((r) => r.testMse!) : null;
      const budget = jobBudget(task, 1);
      rows.push({
        task: task.task,
        method,
        setting,
        learningRate: rate ?? plan.own,
        step: plan.own === null && rate === null ? null : (rate ?? plan.own)!.toExponential(),
        metric: task.metric,
        ...stats,
        value: stats.mean,
        range: meanRange(perSeed),
        seeds: perSeed,
        ...(mse ? { testMse: summarize(mse).mean, testMseRange: meanRange(mse), testMseSeeds: mse } : {}),
        stepsPerSecond: Math.round(summarize(results.map((r) => r.steps / r.seconds)).mean),
        steps: results[0]!.steps,
        ...(budget.sequences === undefined ? {} : { sequences: budget.sequences }),
        ...(budget.metricWindow === undefined ? {} : { metricWindow: budget.metricWindow }),
        hidden: task.hidden ?? null,
        window: task.window ?? null,
        wallSeconds: Math.round(results.reduce((s, r) => s + r.seconds, 0)),
        cpuSeconds: Math.round(results.reduce((s, r) => s + r.cpuSeconds, 0)),
        sweep: sweepValues,
      });
    }
  }
  const seedsNote = seeds.length > 1 ? `mean (min–max) over seeds ${seeds.join(',')}` : `seed ${seeds[0]}`;
  printTable(
    `Sequences (backend ${backend}, ${seedsNote}; 'own': the method's default step size, 'best': its best of the ` +
      `sweep; hidden and window '—': the method's own default; wall and CPU seconds summed over seeds)`,
    rows,
    [
      'task',
      'method',
      'setting',
      'step',
      'metric',
      'range',
      'testMseRange',
      'stepsPerSecond',
      'steps',
      'sequences',
      'hidden',
      'window',
      'wallSeconds',
      'cpuSeconds',
    ],
  );
  if (sweep) {
    const sweepRows = rows
      .filter((r) => r.setting === 'best')
      .map((r) => ({
        task: r.task,
        method: r.method,
        metric: r.metric,
        ...Object.fromEntries(
          (r.sweep as { learningRate: number; value: number }[]).map((s) => [s.learningRate.toExponential(), s.value]),
        ),
        best: r.step,
      }));
    printTable(`Step-size sweep (optimizer.learningRate; ${prefix * 100}% of each task, seed ${seeds[0]})`, sweepRows, [
      'task',
      'method',
      'metric',
      ...SWEEP.map((r) => r.toExponential()),
      'best',
    ]);
  }
  const used = [...done.values()].reduce((s, r) => s + r.cpuSeconds, 0);
  progress(`sequences: ${duration((performance.now() - started) / 1000)} in all, ${duration(used)} of CPU in the jobs`);
  finish('sequences', { backend, seeds, sweep: sweep ? SWEEP : null, sweepPrefix: prefix, rows }, values.json);
}
