// Resuming runs through the CLI: --save writes the whole run (agent, environment, counters) and
// --load continues it exactly; paths that cannot be checkpoints are refused in one typed line.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, stackLines, startCli } from './helpers/run-cli.js';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-resume-'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('tprop: ERR_'));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stackLines(result.stderr)).toEqual([]);
  expect(result.stdout).toBe('');
}

/** Runs the CLI, killing it after `ms` (a run that blocks on a pipe would otherwise never end). */
async function runWithin(args: readonly string[], ms: number): Promise<CliResult> {
  const cli = startCli(args);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), ms);
  const result = await cli.exited;
  clearTimeout(timer);
  return result;
}

describe('tprop run --load / --save, paths', () => {
  it('refuses a folder, a symbolic link loop, a file with a slash and a named pipe, each in one line', async () => {
    const dir = join(folder, 'folder');
    mkdirSync(dir);
    const loop = join(folder, 'loop');
    symlinkSync(loop, loop);
    const file = join(folder, 'file');
    writeFileSync(file, 'not a checkpoint');
    const fifo = join(folder, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const load = (path: string) => runWithin(['run', 'Reber-v0', '--steps', '10', '--json', '--load', path], 30_000);
    const [folderRun, loopRun, slashRun, fifoRun] = await Promise.all([dir, loop, `${file}/`, fifo].map(load));
    expectUserError(
      folderRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected a checkpoint file, but .*folder is a directory$/,
    );
    expectUserError(loopRun!, /^tprop: ERR_INVALID_OPTION: --load: could not read .*loop: ELOOP/);
    expectUserError(
      slashRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected the path of a file, but .*file\/ ends with/,
    );
    expect(fifoRun!.signal, 'the CLI blocked on the named pipe').toBeNull();
    expectUserError(
      fifoRun!,
      /^tprop: ERR_INVALID_OPTION: --load: expected a checkpoint file, but .*pipe is a named pipe$/,
    );
  });

  it('refuses --save with a trailing slash before the run, and writes nothing', async () => {
    const target = join(folder, 'x');
    const result = await runCli(['run', 'Reber-v0', '--steps', '10', '--json', '--save', `${target}/`]);
    expectUserError(result, /^tprop: ERR_INVALID_OPTION: --save: expected the path of a file, but .*x\/ ends with/);
    expect(existsSync(target)).toBe(false);
  });
});
