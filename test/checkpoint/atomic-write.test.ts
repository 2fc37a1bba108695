// Specification of atomic checkpoint writes: a write that fails at any point (mid-write, before
// the rename) leaves the previous checkpoint intact and no temp file behind.

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';

// Faults injected into node:fs as the checkpoint module sees it; off unless a test sets them.
const faults = vi.hoisted(() => ({ rename: false, writeBytes: -1, fsync: false, calls: [] as string[] }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const simulated = (what: string) => Object.assign(new Error(`EIO: simulated crash ${what}`), { code: 'EIO' });
  return {
    ...actual,
    openSync: ((...args: Parameters<typeof actual.openSync>) => {
      faults.calls.push(`open ${String(args[1])}`);
      return actual.openSync(...args);
    }) as typeof actual.openSync,
    writeSync: ((fd: number, buffer: Uint8Array, offset?: number, length?: number) => {
      if (faults.writeBytes >= 0) {
        // Half a write reaches the disk, then the "power fails".
        actual.writeSync(fd, buffer, offset, Math.min(length ?? buffer.length, faults.writeBytes));
        throw simulated('mid-write');
      }
      return actual.writeSync(fd, buffer, offset, length);
    }) as typeof actual.writeSync,
    fsyncSync: ((fd: number) => {
      faults.calls.push('fsync');
      if (faults.fsync) throw simulated('in fsync');
      return actual.fsyncSync(fd);
    }) as typeof actual.fsyncSync,
    renameSync: ((from: fs.PathLike, to: fs.PathLike) => {
      faults.calls.push('rename');
      if (faults.rename) throw simulated('before rename');
      return actual.renameSync(from, to);
    }) as typeof actual.renameSync,
  };
});

const directory = fs.mkdtempSync(join(tmpdir(), 'tprop-atomic-'));
const path = join(directory, 'agent.ckpt');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
afterEach(() => {
  Object.assign(faults, { rename: false, writeBytes: -1, fsync: false, calls: [] });
});

function failedWrite(): unknown {
  try {
    writeCheckpoint(path, { version: 'new', weights: new Float32Array(50_000).fill(2) }, { kind: 'agent' });
  } catch (error) {
    return error;
  }
  throw new Error('failedWrite: expected the write to fail, but it succeeded');
}

describe('writeCheckpoint atomicity', () => {
  it('writes a temp file, fsyncs it, renames it over the target, then fsyncs the directory', () => {
    writeCheckpoint(path, { version: 'old' }, { kind: 'agent' });
    expect(faults.calls).toEqual(['open wx', 'fsync', 'rename', 'open r', 'fsync']);
  });

  it.each([
    ['the rename fails', () => (faults.rename = true)],
    ['the write stops half-way', () => (faults.writeBytes = 1000)],
    ['the fsync fails', () => (faults.fsync = true)],
  ])('leaves the previous checkpoint intact and no temp file when %s', (_, inject) => {
    writeCheckpoint(path, { version: 'old' }, { kind: 'agent' });
    const before = fs.readFileSync(path);
    inject();
    expect(failedWrite()).toMatchObject({ code: 'EIO' });
    expect(fs.readFileSync(path)).toEqual(before);
    expect(readCheckpoint(path, { kind: 'agent' })).toEqual({ version: 'old' });
    expect(fs.readdirSync(directory)).toEqual(['agent.ckpt']);
  });

  it('leaves no file at all at a new path when the first write fails', () => {
    const fresh = join(directory, 'fresh.ckpt');
    faults.rename = true;
    expect(() => writeCheckpoint(fresh, 1, { kind: 'agent' })).toThrow('EIO: simulated crash before rename');
    expect(fs.existsSync(fresh)).toBe(false);
  });
});
