// `tprop run --workers W [--streams S]`: the learning in W worker threads (tprop/workers), each
// with its own agent of its share of the S streams; this thread only reports their progress and
// stops them cleanly on Ctrl-C. An environment module is checked here first, as for a plain run.

import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ViewerServer } from 'tprop/server';
import { ShardedRun, type ShardEnvironment } from 'tprop/workers';
import { agentConfig } from './agent-source.js';
import { EXIT } from './cli-error.js';
import { isModulePath, openEnvironment } from './environment-source.js';
import { Interrupts } from './interrupts.js';
import { formatCount } from './main-metric.js';
import type { RunOptions } from './run-options.js';
import { reporterFor } from './run-command.js';
import { shardedController } from './sharded-viewer.js';
import { ENVIRONMENT_MARK } from './user-code-error.js';
import { holdViewer, openViewer } from './viewer-session.js';

/** The description's environment; a module is imported and checked against the contract here first. */
async function shardEnvironment(options: RunOptions): Promise<{ environment: ShardEnvironment; name: string }> {
  const envOptions = options.envOptions;
  if (!isModulePath(options.environment))
    return { environment: { id: options.environment, options: envOptions }, name: options.environment };
  (await openEnvironment(options.environment, envOptions, options.seed)).close?.();
  const path = resolve(options.environment);
  // The mark lets the workers' module hooks load the file as an ES module wherever it lives.
  const module = `${pathToFileURL(path).href}?${ENVIRONMENT_MARK}`;
  return { environment: { module, options: envOptions }, name: basename(path) };
}

/** Runs to the end (its steps, Ctrl-C or a worker's fault, which it throws); resolves with the exit status. */
export async function shardedCommand(options: RunOptions, workers: number): Promise<number> {
  const { reporter } = reporterFor(options);
  let interrupts: Interrupts | undefined;
  let run: ShardedRun | undefined;
  let timer: NodeJS.Timeout | undefined;
  let viewer: ViewerServer | undefined;
  try {
    const { environment, name } = await shardEnvironment(options);
    const config = agentConfig(options);
    const streams = options.streams ?? workers;
    const preload = 'module' in environment ? [new URL('./worker-preload.js', import.meta.url).href] : [];
    // From the sources the preload is TypeScript; the workers run under tsx there, which resolves it.
    if (import.meta.url.endsWith('.ts')) preload[0] &&= new URL('./worker-preload.ts', import.meta.url).href;
    run = new ShardedRun({
      environment,
      agent: config,
      streams,
      workers,
      steps: options.steps,
      seed: options.seed ?? 0,
      preload,
      progressMs: Math.max(10, Math.min(reporter.intervalMs, 1000)),
      ...(options.viewer === null ? {} : { frameMs: options.frameMs }),
    });
    const sharded = run;
    interrupts = new Interrupts();
    const stopping = interrupts;
    stopping.onFirst(() => sharded.stop());
    const total = options.steps === undefined ? null : options.steps * streams;
    reporter.notice(`tprop: ${streams} streams on ${workers} worker thread${workers === 1 ? '' : 's'}`);
    const started = performance.now();
    sharded.start();
    if (options.viewer !== null) {
      // The viewer shows worker 0's agent, known once the workers are set up.
      const learning = await Promise.race([sharded.ready.then(() => true), sharded.done.then(() => false)]);
      // A run stopped (Ctrl-C) before it began has nothing to show.
      if (learning) {
        viewer = await openViewer(shardedController(sharded), options.viewer, (line) => reporter.notice(line));
        reporter.viewer(viewer.url);
      }
    }
    timer = setInterval(() => {
      const state = sharded.state();
      if (state.workers.some((w) => w !== null))
        reporter.progress({
          step: state.streamSteps,
          total,
          stepsPerSecond: state.stepsPerSecond,
          metrics: state.metrics,
        });
    }, reporter.intervalMs);
    const result = await sharded.done;
    clearInterval(timer);
    const interrupted = stopping.signal !== null;
    reporter.done({
      steps: result.streamSteps,
      metrics: result.metrics,
      seconds: (performance.now() - started) / 1000,
      environment: name,
      agent: config.kind,
      interrupted,
    });
    reporter.notice(
      `tprop: ${formatCount(result.stepsPerSecond)} stream steps/s over ${workers} workers ` +
        `(${result.workers.map((w) => formatCount(w.stepsPerSecond)).join(' + ')}), set-up ` +
        `${result.setupSeconds.toFixed(1)} s`,
    );
    if (interrupted) return stopping.exitCode ?? EXIT.interrupted;
    await holdViewer(viewer, options.viewer, stopping, (line) => reporter.notice(line));
    return EXIT.ok;
  } finally {
    clearInterval(timer);
    reporter.close();
    await viewer?.close();
    await run?.dispose();
    interrupts?.dispose();
  }
}
