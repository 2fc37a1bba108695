// Checkpoints of the command line: where --save writes, checked before the run starts so that
// hours of learning are never lost to a typo in a folder name; what --load reads, a whole run to
// resume (agent, environment, counters) or an older agent-only checkpoint; and the save itself.

import { type Stats, accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  AGENT_CHECKPOINT_KIND,
  CheckpointError,
  RUN_CHECKPOINT_KIND,
  checkRunState,
  createAgent,
  readCheckpointOf,
  restoreRun,
  saveRun,
  type Agent,
  type AgentState,
  type Environment,
  type LiveRun,
  type LiveRunPosition,
  type RunState,
} from 'tprop';
import 'tprop/agents';
import { CliError } from './cli-error.js';

/** Resolving a path drops a trailing separator, and "x/" would then read or write the file "x". */
function checkFilePath(flag: string, path: string): void {
  if (/[/\\]$/.test(path)) {
    throw new CliError(`--${flag}: expected the path of a file, but ${path} ends with a path separator`);
  }
}

/** Throws a CliError unless a checkpoint could be written at `path` (its folder exists, writable). */
export function checkSaveTarget(path: string): void {
  checkFilePath('save', path);
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new CliError(`--save: expected a file path, but ${path} is a folder`);
  }
  const folder = dirname(target);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new CliError(`--save: expected the folder of ${path} to exist, but ${folder} does not`);
  }
  try {
    // The checkpoint is written to a temporary file in the folder and renamed over the target.
    accessSync(folder, constants.W_OK);
  } catch {
    throw new CliError(`--save: expected to be allowed to write in ${folder}, but it is not writable`);
  }
}

/** Saves the whole of `run` to `path` (atomically); a failing file system is a CliError naming the path. */
export function saveCheckpoint(run: LiveRun, path: string): void {
  try {
    saveRun(run, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new CliError(`--save: could not write ${path}: ${(error as Error).message}`);
    }
    throw error;
  }
}

/**
 * Throws a CliError unless `path` names a regular file that can be read: checked before anything
 * is opened, so that a folder or a named pipe (which would block the read) is named as such.
 */
export function checkLoadTarget(path: string): void {
  checkFilePath('load', path);
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new CliError(`--load: expected a checkpoint file, but ${path} does not exist`);
    throw new CliError(`--load: could not read ${path}: ${message}`);
  }
  if (!stats.isFile()) {
    const type = stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a named pipe' : 'not a regular file';
    throw new CliError(`--load: expected a checkpoint file, but ${path} is ${type}`);
  }
}

/** What --load found: a whole run, or an agent alone (a checkpoint of tprop before runs were saved). */
export type LoadedCheckpoint =
  | { readonly kind: 'run'; readonly path: string; readonly run: RunState }
  | { readonly kind: 'agent'; readonly path: string; readonly agent: AgentState };

/** Reads the checkpoint of --load (a damaged one is a CheckpointError; a failing file system a CliError). */
export function readLoadTarget(path: string): LoadedCheckpoint {
  let found: { kind: string; payload: unknown };
  try {
    found = readCheckpointOf(path, [RUN_CHECKPOINT_KIND, AGENT_CHECKPOINT_KIND]);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new CliError(`--load: expected a checkpoint file, but ${path} does not exist`);
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
      throw new CliError(`--load: could not read ${path}: ${message}`);
    throw error;
  }
  if (found.kind === RUN_CHECKPOINT_KIND)
    return { kind: 'run', path, run: checkRunState(found.payload, `--load ${path}`) };
  return { kind: 'agent', path, agent: found.payload as AgentState };
}

/** The agent a loaded checkpoint holds: made from its kind and options, its state not restored yet. */
function agentOf(state: AgentState, path: string, space: Environment['observationSpace']): Agent {
  const s = state as Partial<AgentState> | null;
  const options = s?.options;
  if (typeof s?.kind !== 'string' || typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `--load: expected ${path} to hold an agent's kind and options, but it does not`,
    );
  }
  return createAgent({ ...(options as Record<string, unknown>), kind: s.kind }, space);
}

export interface Restored {
  readonly agent: Agent;
  /** Where the saved run stood, for LiveRun's `resume`; undefined for an agent-only checkpoint. */
  readonly resume: LiveRunPosition | undefined;
}

/**
 * Makes the agent of `loaded` and restores it; for a run, restores `environment` too (its state,
 * or a replay of the saved steps) after checking it is the saved run's environment. `seed` (the
 * --seed flag) must be the saved run's or absent, since the run continues its own stream.
 * `notice` tells people what happens (an agent-only checkpoint, a replay).
 */
export function restoreCheckpoint(
  loaded: LoadedCheckpoint,
  environment: Environment,
  seed: number | undefined,
  notice: (line: string) => void,
): Restored {
  const { path } = loaded;
  if (loaded.kind === 'run' && seed !== undefined && seed !== loaded.run.position.seed) {
    throw new CliError(
      `--seed: expected ${loaded.run.position.seed ?? 'no seed'}, the seed of the run saved in ${path}, or none, ` +
        `since --load resumes that run, but got ${seed}`,
    );
  }
  const agent = agentOf(loaded.kind === 'run' ? loaded.run.agent : loaded.agent, path, environment.observationSpace);
  try {
    if (loaded.kind === 'agent') {
      agent.setState(loaded.agent);
      notice(`tprop: ${path} holds an agent only (an older checkpoint): the environment starts fresh`);
      return { agent, resume: undefined };
    }
    const { position, environmentState } = loaded.run;
    if (environmentState === null && position.step > 0)
      notice(`tprop: replaying the ${position.step} steps of the saved run (its environment has no getState)`);
    return { agent, resume: restoreRun(loaded.run, agent, environment, `--load ${path}`) };
  } catch (error) {
    agent.dispose();
    throw error;
  }
}
