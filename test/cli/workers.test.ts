// `tprop run --workers W [--streams S]`: the flags it takes and refuses, and one sharded run end to end.

import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../cli/run-options.js';
import { jsonLines, startCli } from './helpers/run-cli.js';

describe('tprop run --workers', () => {
  it('reads --workers and --streams, and refuses what a sharded run cannot do, naming the flag', () => {
    expect(parseRunArgs(['Reber-v0', '--workers', '2', '--streams', '8'])).toMatchObject({
      options: { workers: 2, streams: 8 },
    });
    const cases: [string[], RegExp][] = [
      [['--streams', '4'], /^--streams: only applies with --workers$/],
      [['--workers', '0'], /^--workers: expected an integer in \[1, 1024\], but got "0"$/],
      [
        ['--workers', '4', '--streams', '2'],
        /^--streams: expected at least one stream per worker \(>= 4\), but got 2$/,
      ],
      [['--workers', '2', '--load', 'x.tprop'], /^--load: cannot be combined with --workers: a sharded run has one/],
      [['--workers', '2', '--save', 'x.tprop'], /^--save: cannot be combined with --workers/],
      [['--workers', '2', '--episodes', '3'], /^--episodes: cannot be combined with --workers/],
    ];
    for (const [flags, message] of cases)
      expect(() => parseRunArgs(['Reber-v0', ...flags]), flags.join(' ')).toThrow(message);
    expect(() => parseRunArgs(['data.csv', '--workers', '2'])).toThrow(/got a data file/);
  });

  it("learns in a worker thread, serves worker 0's agent in the viewer, and ends with every stream step", async () => {
    const cli = startCli([
      'run',
      'Reber-v0',
      ...['--workers', '1', '--streams', '2', '--steps', '600', '--json'],
      ...['--viewer', '--port', '0', '--exit-when-done'],
    ]);
    const { viewer } = await cli.waitForJson((line) => typeof line.viewer === 'string');
    const page = await fetch(viewer as string);
    expect(page.status).toBe(200);
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    const done = jsonLines(result.stdout).at(-1)!;
    expect(done).toMatchObject({ done: true, steps: 1200, metrics: { 'next/legal': expect.any(Number) } });
    expect(result.stderr).toMatch(/^tprop: 2 streams on 1 worker thread\n/m);
  });
});
