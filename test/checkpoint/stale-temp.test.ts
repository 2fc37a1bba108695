// Temporary files of saves that were killed mid-write (`.<name>.<pid>.<random>.tmp`) are removed
// at the next save of the same target, when their writer is gone or they are old; a live
// writer's fresh file, and the temporary files of other targets, are left alone.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STALE_TEMP_AGE_MS, writeFileAtomic } from '../../src/checkpoint/atomic-write.js';
import { readCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tprop-stale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('writeFileAtomic, stale temporary files', () => {
  it('removes those of a writer that is gone, or that are old, and keeps the rest', () => {
    const dead = deadPid();
    const live = process.ppid;
    const files = {
      dead: `.run.tprop.${dead}.0123456789ab.tmp`,
      liveOld: `.run.tprop.${live}.aaaaaaaaaaaa.tmp`,
      liveFresh: `.run.tprop.${live}.bbbbbbbbbbbb.tmp`,
      otherTarget: `.other.tprop.${dead}.cccccccccccc.tmp`,
      unrelated: `.run.tprop.${dead}.notours.tmp`,
    };
    for (const name of Object.values(files)) writeFileSync(join(dir, name), 'partial');
    const old = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    utimesSync(join(dir, files.liveOld), old, old);
    writeCheckpoint(join(dir, 'run.tprop'), { a: 1 }, { kind: 'run' });
    expect(readdirSync(dir).sort()).toEqual([files.liveFresh, files.otherTarget, files.unrelated, 'run.tprop'].sort());
    expect(readCheckpoint(join(dir, 'run.tprop'), { kind: 'run' })).toEqual({ a: 1 });
  });

  it('keeps its own process’s fresh temporary files (a concurrent write in another thread)', () => {
    const own = `.mine.bin.${process.pid}.dddddddddddd.tmp`;
    writeFileSync(join(dir, own), 'partial');
    writeFileAtomic(join(dir, 'mine.bin'), Uint8Array.of(1, 2, 3));
    expect(readdirSync(dir)).toContain(own);
  });
});
