// --save and --load through the CLI: a loaded agent carries on from what it learned (its running
// metrics and its skill), and a damaged checkpoint is refused with ERR_CHECKPOINT_CORRUPT.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, stackLines } from './helpers/run-cli.js';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-cli-'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

type Line = { step?: number; done?: boolean; metrics: Record<string, number> };

describe('tprop run --save / --load', () => {
  it('continues from the saved agent, and refuses a truncated checkpoint', async () => {
    const file = join(folder, 'reber.tprop');
    const saved = await runCli(['run', 'Reber-v0', '--steps', '600', '--seed', '1', '--save', file, '--json']);
    expect(saved.code, saved.stderr).toBe(0);
    const learned = (jsonLines(saved.stdout).at(-1) as Line).metrics;

    const later = ['--steps', '100', '--json', '--progress-steps', '20'];
    const truncated = join(folder, 'truncated.tprop');
    writeFileSync(truncated, readFileSync(file).subarray(0, 4000));
    const [loaded, fresh, damaged] = await Promise.all([
      // The loaded run resumes the saved one (its seed, its step count); the fresh one starts anew.
      runCli(['run', 'Reber-v0', '--load', file, ...later]),
      runCli(['run', 'Reber-v0', '--seed', '7', ...later]),
      runCli(['run', 'Reber-v0', '--load', truncated, '--steps', '10', '--json']),
    ]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(fresh.code, fresh.stderr).toBe(0);
    const [loadedFirst, freshFirst] = [loaded, fresh].map((r) => jsonLines(r.stdout)[0] as Line);
    expect([loadedFirst!.step, freshFirst!.step]).toEqual([620, 20]);
    // The running metrics come back with the agent: 20 new steps barely move 600 steps' mean.
    expect(Math.abs(loadedFirst!.metrics['next/legal']! - learned['next/legal']!)).toBeLessThan(0.03);
    expect(Math.abs(freshFirst!.metrics['next/legal']! - learned['next/legal']!)).toBeGreaterThan(0.05);
    // And so does the skill: over the same 100 steps the loaded agent predicts better.
    const [loadedLast, freshLast] = [loaded, fresh].map((r) => jsonLines(r.stdout).at(-1) as Line);
    expect(loadedLast!.metrics['next/legal']).toBeGreaterThan(freshLast!.metrics['next/legal']!);

    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/^tprop: ERR_CHECKPOINT_CORRUPT: .*truncated\.tprop/m);
    expect(stackLines(damaged.stderr)).toEqual([]);
    expect(damaged.stdout).toBe('');
  });
});
