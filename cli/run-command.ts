// `tprop run`: an agent learning online from an environment in a LiveRun, with progress, an
// optional viewer, checkpoints of the whole run (--load resumes it exactly where --save left it),
// and a clean stop on Ctrl-C (stop, save, close, dispose).

import { LiveRun, initEngine, type Agent, type Environment, type LiveRunPosition } from 'tprop';
import type { ViewerServer } from 'tprop/server';
import { openAgent } from './agent-source.js';
import {
  checkLoadTarget,
  checkSaveTarget,
  readLoadTarget,
  restoreCheckpoint,
  saveCheckpoint,
} from './checkpoint-target.js';
import { EXIT, userErrorCode } from './cli-error.js';
import { writeDataLines } from './data-lines.js';
import { openEnvironment } from './environment-source.js';
import { DataStream } from 'tprop/environments';
import { Interrupts } from './interrupts.js';
import { JsonProgress, type ProgressReporter } from './progress.js';
import { scheduleProgress } from './progress-schedule.js';
import type { RunOptions } from './run-options.js';
import { TextProgress } from './text-progress.js';
import { holdViewer, openViewer } from './viewer-session.js';

/** The reporter, and whether it redraws a bar (which is drawn by the clock, whatever --progress-steps says). */
export function reporterFor(options: RunOptions): { reporter: ProgressReporter; tty: boolean } {
  if (options.json) return { reporter: new JsonProgress(), tty: false };
  const tty = process.stderr.isTTY === true;
  return { reporter: new TextProgress({ tty, columns: process.stderr.columns }), tty };
}

/** Runs to the end (a limit, Ctrl-C or an error, which it throws); resolves with the exit status. */
export async function runCommand(options: RunOptions): Promise<number> {
  if (options.watch !== undefined) {
    const { watchCommand } = await import('./watch-command.js');
    return watchCommand(options);
  }
  if (options.workers !== undefined) {
    const { shardedCommand } = await import('./sharded-command.js');
    return shardedCommand(options, options.workers);
  }
  const { reporter, tty } = reporterFor(options);
  // Signals get their clean stop (stop, save, close) once the run is set up. Before, node's default
  // applies and they end the process at once: set-up (large layers) can be long and is synchronous,
  // and a handler would only run after it, with nothing learned to save anyway.
  let interrupts: Interrupts | undefined;
  let environment: Environment | undefined;
  let agent: Agent | undefined;
  let viewer: ViewerServer | undefined;
  let stopProgress = (): void => undefined;
  try {
    if (options.save !== undefined) checkSaveTarget(options.save);
    if (options.load !== undefined) checkLoadTarget(options.load);
    await initEngine();
    environment = await openEnvironment(options.environment, options.envOptions, options.seed, options.data);
    const loaded = options.load === undefined ? undefined : readLoadTarget(options.load);
    let resume: LiveRunPosition | undefined;
    if (loaded === undefined) agent = openAgent(options, environment.observationSpace, environment.actionSpace);
    else ({ agent, resume } = restoreCheckpoint(loaded, environment, options.seed, (line) => reporter.notice(line)));
    const start = resume?.step ?? 0;
    interrupts = new Interrupts();
    const stopping = interrupts;
    const data = environment instanceof DataStream ? environment : null;
    // A data file is read once unless --steps or --episodes asks for more.
    const onePass = data !== null && options.steps === undefined && options.episodes === undefined;
    const run = new LiveRun(agent, environment, {
      seed: resume === undefined ? options.seed : undefined,
      resume,
      steps: options.steps,
      episodes: onePass ? 1 : options.episodes,
      frameIntervalMs: options.frameMs,
    });
    // Stopping resolves `done` after a last frame; a run not started yet just ends at step 0.
    stopping.onFirst(() => run.stop());
    if (options.viewer !== null) {
      viewer = await openViewer(run, options.viewer, (line) => reporter.notice(line));
      reporter.viewer(viewer.url);
    }
    stopProgress =
      data !== null && options.json
        ? writeDataLines(run, data)
        : scheduleProgress(run, agent, reporter, {
            // Steps count on from a resumed run's, and --steps counts the steps of this invocation.
            total: options.steps === undefined ? null : start + options.steps,
            everySteps: tty ? undefined : options.progressSteps,
          });
    const started = performance.now();
    run.start();
    const result = await run.done.catch((error: unknown) => {
      // A fault in the middle of a run is easier to chase with the step it came at.
      if (userErrorCode(error) !== null) (error as Error).message += ` (at step ${run.state().step} of the run)`;
      throw error;
    });
    stopProgress();
    const interrupted = stopping.signal !== null;
    // A Ctrl-C during start-up must not put an untrained agent over a checkpoint kept there.
    const save = options.save !== undefined && !(interrupted && result.steps === start) ? options.save : undefined;
    // Saved before anything else can fail or be interrupted, so that the learning is kept.
    if (save !== undefined) saveCheckpoint(run, save);
    reporter.done({
      steps: result.steps,
      metrics: result.metrics,
      seconds: (performance.now() - started) / 1000,
      environment: run.topology.environment,
      agent: agent.kind,
      interrupted,
    });
    if (save !== undefined) reporter.notice(`tprop: saved the run to ${save} (resume it with --load)`);
    else if (options.save !== undefined)
      reporter.notice(`tprop: stopped before the first step; ${options.save} left as it was`);
    if (interrupted) return stopping.exitCode ?? EXIT.interrupted;
    await holdViewer(viewer, options.viewer, stopping, (line) => reporter.notice(line));
    return EXIT.ok;
  } finally {
    stopProgress();
    reporter.close();
    await viewer?.close();
    agent?.dispose();
    environment?.close?.();
    interrupts?.dispose();
  }
}
