// The viewer of a sharded run: worker 0's agent, whose frames its thread posts, shown and steered
// as a run of the main thread is. Pause, resume and single steps hold or step every worker.

import type { RunController, RunState } from 'tprop/server';
import type { ShardedRun } from 'tprop/workers';

/** `run` as the viewer's RunController; call it once `run.ready` has resolved (the topology is known). */
export function shardedController(run: ShardedRun): RunController {
  let step = 0;
  // The run's fault reaches the command through `done`.
  run.frames.subscribe({ next: (frame) => (step = frame.step), error: () => undefined });
  return {
    topology: run.topology,
    frames: run.frames,
    state: (): RunState => ({ paused: run.paused, step, stepsPerSecond: run.state().stepsPerSecond }),
    pause: () => run.pause(),
    resume: () => run.resume(),
    step: () => run.step(),
  };
}
