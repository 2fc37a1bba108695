// Checkpoint files: the format of `checkpoint-codec.ts` on disk, written atomically (temp file,
// fsync, rename, directory fsync) so a crash never leaves a half-written checkpoint behind.

import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { checkpointKind, decodeCheckpointFrom, encodeCheckpoint } from './checkpoint-codec.js';
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
  return path;
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
 * can tell "no checkpoint yet" from "a broken checkpoint".
 */
export function readCheckpoint(path: string, options: CheckpointOptions): unknown {
  checkPath('readCheckpoint', path);
  const kind = checkpointKind('readCheckpoint', options);
  const bytes = readFileSync(path);
  return decodeCheckpointFrom(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    kind,
    'readCheckpoint',
    path,
  );
}
