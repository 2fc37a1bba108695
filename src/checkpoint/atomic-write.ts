// Atomic replacement of a file: the bytes go to a temp file beside the target, are fsynced, and
// are renamed over it, so a crash at any point leaves either the old file or the new one.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes `bytes` to `path` atomically (POSIX rename semantics). The temp file is named
 * `.<name>.<pid>.<random>.tmp` in the target's directory, since a rename across file systems
 * would not be atomic; on any failure it is removed and the error (node's, e.g. ENOENT for a
 * missing directory) is rethrown, leaving whatever was at `path` untouched. A hard crash (power
 * loss, SIGKILL) can leave such a temp file behind, never a partial file at `path`.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const target = resolve(path);
  const directory = dirname(target);
  const temp = join(directory, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse someone else's file under the temp name.
  const fd = openSync(temp, 'wx', 0o644);
  let renamed = false;
  try {
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    renamed = true;
  } finally {
    if (!renamed) removeQuietly(temp);
  }
  syncDirectory(directory);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or the directory itself went away: nothing left to clean.
  }
}

/**
 * Makes the rename itself durable. Directories cannot be opened or fsynced on Windows (EISDIR,
 * EPERM) and some file systems refuse (EINVAL); the file is in place by then, so those are ignored.
 */
function syncDirectory(directory: string): void {
  let fd: number;
  try {
    fd = openSync(directory, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // See above: durability of the rename is best effort where the platform does not allow it.
  } finally {
    closeSync(fd);
  }
}
