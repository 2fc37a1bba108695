// Checkpoint files: the format of `checkpoint-codec.ts` on disk, written atomically (temp file,
// fsync, rename, directory fsync) so a crash never leaves a half-written checkpoint behind.

import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { checkpointKind, decodeCheckpointFrom, decodeRecordFrom, encodeCheckpoint } from './checkpoint-codec.js';
import type { CheckpointOptions } from './checkpoint-codec.js';
import { InvalidOptionError, describeValue } from '../errors.js';

export {
  CHECKPOINT_HEADER_SIZE,
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
} from './checkpoint-codec.js';
export type { CheckpointOptions } from './checkpoint-codec.js';

function checkPath(where: string, path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidOptionError(`${where}: expected a file path, but got ${describeValue(path)}`);
  }
  // Path resolution drops a trailing slash: "x/" would silently read or write the file "x".
  if (/[/\\]$/.test(path)) {
    throw new InvalidOptionError(`${where}: expected the path of a file, but ${path} ends with a path separator`);
  }
  return path;
}

function fileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The bytes of the regular file at `path`. Opened without blocking (a named pipe with no writer
 * would otherwise hang the read) and checked by its descriptor, so nothing can swap the file for
 * another between the check and the read.
 */
function readRegularFile(where: string, path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new InvalidOptionError(`${where}: expected a regular file, but ${path} is ${fileType(stats)}`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Saves `payload` as a checkpoint of `kind` at `path`, replacing any file there atomically.
 * File-system failures (missing directory, no space, permissions) surface as node's errors,
 * and leave the previous file at `path`, if any, untouched.
 */
export function writeCheckpoint(path: string, payload: unknown, options: CheckpointOptions): void {
  checkPath('writeCheckpoint', path);
  checkpointKind('writeCheckpoint', options);
  writeFileAtomic(path, encodeCheckpoint(payload, options));
}

/**
 * Loads the payload of the checkpoint of `kind` at `path`. A damaged or foreign file throws
 * CheckpointError (ERR_CHECKPOINT_CORRUPT, ERR_CHECKPOINT_VERSION or ERR_CHECKPOINT_MISMATCH);
 * a missing file throws node's own error unchanged (`code: 'ENOENT'`, with `path`), so a caller
 * can tell "no checkpoint yet" from "a broken checkpoint"; so do other failures of the file
 * system (ELOOP, ENOTDIR, EACCES). A path ending in a separator, or naming anything but a regular
 * file (a directory, a named pipe, a device), throws InvalidOptionError at once, without blocking.
 */
export function readCheckpoint(path: string, options: CheckpointOptions): unknown {
  checkPath('readCheckpoint', path);
  const kind = checkpointKind('readCheckpoint', options);
  const bytes = readRegularFile('readCheckpoint', path);
  return decodeCheckpointFrom(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    kind,
    'readCheckpoint',
    path,
  );
}

/**
 * Loads the checkpoint at `path` if it is of one of `kinds` (non-empty strings), returning the
 * kind it holds with its payload: for readers of more than one format, such as a run's checkpoint
 * or an older agent-only one. Fails as `readCheckpoint` does.
 */
export function readCheckpointOf(path: string, kinds: readonly string[]): { kind: string; payload: unknown } {
  checkPath('readCheckpointOf', path);
  if (!Array.isArray(kinds) || kinds.length === 0) {
    throw new InvalidOptionError(
      `readCheckpointOf: expected a non-empty array of kinds, but got ${describeValue(kinds)}`,
    );
  }
  for (const kind of kinds) checkpointKind('readCheckpointOf', { kind });
  const bytes = readRegularFile('readCheckpointOf', path);
  return decodeRecordFrom(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    kinds,
    'readCheckpointOf',
    path,
  );
}
