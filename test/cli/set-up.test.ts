// Setting up a run: options too large for memory are refused at once, before anything is
// allocated (ERR_INVALID_OPTION naming the estimate and the limit), and a long set-up of large
// layers that fit still ends at once on Ctrl-C or SIGTERM, rather than after it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli, stackLines, startCli } from './helpers/run-cli.js';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-set-up-'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function config(name: string, options: Record<string, unknown>): string {
  const path = join(folder, `${name}.json`);
  writeFileSync(path, JSON.stringify({ kind: 'predictive', ...options }));
  return path;
}

describe('tprop run, set-up', () => {
  it('refuses layers and windows too large for memory at once, naming the estimate and the limit', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ layers: [20000] }, /layers \[20000\], top size 40000 alone need at least [\d.]+ GiB$/],
      [{ layers: [1000000] }, /layers \[1000000\], top size 2000000 alone need at least [\d.]+ GiB$/],
      [{ layers: [100000000] }, /layers \[100000000\], top size 200000000 alone need at least [\d.]+ GiB$/],
      [{ layers: [64], window: 100000000 }, /layers \[64\], top size 128, window 100000000 and 1 stream\(s\) need/],
    ];
    const started = performance.now();
    const results = await Promise.all(
      cases.map(([options], i) => runCli(['run', 'Reber-v0', '--config', config(`big${i}`, options), '--json'])),
    );
    // Refused before allocating: no 4 GiB, no minutes of set-up.
    expect(performance.now() - started).toBeLessThan(20_000);
    results.forEach((result: CliResult, i) => {
      expect(result.code, result.stderr).toBe(2);
      expect(stackLines(result.stderr)).toEqual([]);
      const line = result.stderr.split('\n').find((l) => l.startsWith('tprop: ERR_'))!;
      expect(line).toMatch(/^tprop: ERR_INVALID_OPTION: .*RecurrentStack: expected options whose parameters, /);
      expect(line).toMatch(/fit in [\d.]+ GiB \(the smaller of 2\.0 GiB and half of this machine's [\d.]+ GiB\)/);
      expect(line).toMatch(cases[i]![1]);
    });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('ends a long set-up at once on %s', async (signal) => {
    // About a minute of orthogonal initialisation, well within the memory limit.
    const cli = startCli(['run', 'Reber-v0', '--config', config(`slow-${signal}`, { layers: [3000] }), '--json']);
    await new Promise<void>((resolve) => {
      const watch = (chunk: Buffer | string): void => {
        if (!String(chunk).includes('tprop: backend')) return;
        cli.child.stderr.off('data', watch);
        resolve();
      };
      cli.child.stderr.on('data', watch);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = performance.now();
    cli.child.kill(signal);
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 20_000);
    const result = await cli.exited;
    clearTimeout(timer);
    expect(performance.now() - sent, 'the signal waited for the set-up').toBeLessThan(5_000);
    expect(result.signal).toBe(signal);
    expect(result.stdout).toBe('');
  });
});
