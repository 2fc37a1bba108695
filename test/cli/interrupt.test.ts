// Ctrl-C during an endless run: the CLI stops the run, saves the agent, prints its final line
// and exits with 130; the checkpoint it leaves is whole and loads into a new agent.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../agents/index.js';
import '../../environments/index.js';
import { createAgent, loadAgent, makeEnvironment } from '../../src/index.js';
import { jsonLines, startCli, stackLines } from './helpers/run-cli.js';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-cli-'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('tprop run, Ctrl-C', () => {
  it('saves before exiting with 130, and the checkpoint loads', async () => {
    const file = join(folder, 'interrupted.tprop');
    const cli = startCli(['run', 'Reber-v0', '--save', file, '--json']);
    // A progress line means the run is well under way (about a second in).
    await cli.waitForJson((line) => typeof line.step === 'number' && line.step > 0);
    cli.child.kill('SIGINT');
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(stackLines(result.stderr)).toEqual([]);
    const last = jsonLines(result.stdout).at(-1)!;
    expect(Object.keys(last)).toEqual(['done', 'steps', 'metrics']);
    expect(last.steps).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);

    const agent = createAgent('predictive', makeEnvironment('Reber-v0').observationSpace);
    try {
      loadAgent(agent, file);
      // Saved after the run stopped: the very state whose metrics the last line reports.
      expect(agent.metrics()).toEqual(last.metrics);
    } finally {
      agent.dispose();
    }
  });
});
