// Atomic replacement of a file: the bytes go to a temp file beside the target, are fsynced, and
// are renamed over it, so a crash at any point leaves either the old file or the new one; the
// temp files of saves killed mid-write are removed at the next save of the same target.

import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes `bytes` to `path` atomically (POSIX rename semantics). The temp file is named
 * `.<name>.<pid>.<random>.tmp` in the target's directory, since a rename across file systems
 * would not be atomic; on any failure it is removed and the error (node's, e.g. ENOENT for a
 * missing directory) is rethrown, leaving whatever was at `path` untouched. A hard crash (power
 * loss, SIGKILL) can leave such a temp file behind, never a partial file at `path`; the next
 * successful write to `path` removes those that are stale (see `removeStaleTemps`).
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
  removeStaleTemps(directory, basename(target));
}

/** A temp file older than this is stale whoever wrote it: no save takes half an hour. */
export const STALE_TEMP_AGE_MS = 30 * 60 * 1000;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a process with this pid runs now (EPERM: it does, as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files `.<name>.<pid>.<random>.tmp` of writes to `name` in `directory` that were
 * killed before their rename: those whose writer is no longer running, and any older than
 * STALE_TEMP_AGE_MS (its pid may have been reused). A fresh one of a running process, this one
 * included, may be a write in progress and is left alone. Best effort: failures are ignored.
 */
export function removeStaleTemps(directory: string, name: string): void {
  const pattern = new RegExp(`^\\.${escapeRegExp(name)}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return;
  }
  const now = Date.now();
  for (const entry of entries) {
    const match = pattern.exec(entry);
    if (match === null) continue;
    const path = join(directory, entry);
    try {
      const stats = lstatSync(path);
      if (!stats.isFile()) continue;
      const pid = Number(match[1]);
      const gone = pid !== process.pid && !isRunning(pid);
      if (gone || now - stats.mtimeMs > STALE_TEMP_AGE_MS) unlinkSync(path);
    } catch {
      // Removed meanwhile, or not ours to remove: leave it.
    }
  }
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
