// Where --save writes: checked before the run starts, so that hours of learning are never lost to
// a typo in a folder name, and a failed write at the end reads as what it is.

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { saveAgent, type Agent } from 'tprop';
import { CliError } from './cli-error.js';

/** Throws a CliError unless a checkpoint could be written at `path` (its folder exists, writable). */
export function checkSaveTarget(path: string): void {
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

/** Saves `agent` to `path` (atomically); a failing file system is a CliError naming the path. */
export function saveCheckpoint(agent: Agent, path: string): void {
  try {
    saveAgent(agent, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new CliError(`--save: could not write ${path}: ${(error as Error).message}`);
    }
    throw error;
  }
}
