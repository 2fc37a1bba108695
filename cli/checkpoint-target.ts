// Where --save writes: checked before the run starts, so that hours of learning are never lost to
// a typo in a folder name, and a failed write at the end reads as what it is.

import { type Stats, accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { saveAgent, type Agent } from 'tprop';
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
