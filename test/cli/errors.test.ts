// User errors through the CLI: one line `tprop: ERR_CODE: message` on stderr, status 2, no stack
// and nothing on stdout, for a bad config key, an unknown id, a bad flag and a busy port.

import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stackLines, type CliResult } from './helpers/run-cli.js';

let folder: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tprop-cli-'));
  writeFileSync(join(folder, 'typo.json'), JSON.stringify({ kind: 'predictive', layers: [16], lerningRate: 0.1 }));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await new Promise((resolve) => busy.close(resolve));
});

function expectUserError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('tprop: ERR_'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stackLines(result.stderr)).toEqual([]);
  expect(result.stdout).toBe('');
}

describe('tprop run, user errors', () => {
  it('names an unknown option key of a --config file, an unknown environment id, and a busy port', async () => {
    const [typo, unknown, port] = await Promise.all([
      runCli(['run', 'Reber-v0', '--config', join(folder, 'typo.json'), '--steps', '10', '--json']),
      runCli(['run', 'Rebr-v0', '--steps', '10', '--json']),
      runCli(['run', 'Reber-v0', '--viewer', '--port', String(busyPort), '--steps', '10', '--json']),
    ]);
    expectUserError(typo, /^tprop: ERR_INVALID_OPTION: .*typo\.json: PredictiveAgent: .*unknown option "lerningRate"$/);
    expectUserError(unknown, /^tprop: ERR_UNKNOWN_ID: .*"Rebr-v0"/);
    expect(unknown.stderr).toContain('Reber-v0');
    expectUserError(
      port,
      new RegExp(`^tprop: ERR_INVALID_OPTION: --port: port ${busyPort} on 127.0.0.1 is in use.*--port 0`),
    );
  });

  it('checks flags before loading anything (the rest of the flag checks are in options-and-output)', async () => {
    const results = await Promise.all([runCli(['run', 'Reber-v0', '--steps', 'many']), runCli(['frobnicate'])]);
    const patterns = [
      /--steps: expected an integer >= 1, but got "many"/,
      /expected a command among \[run, env, agent, replay, list, help\], but got "frobnicate"/,
    ];
    results.forEach((result, i) => {
      expectUserError(result, new RegExp(`^tprop: ERR_INVALID_OPTION: .*${patterns[i]!.source}`));
      // Nothing heavy was loaded: the engine never reported a backend.
      expect(result.stderr).not.toMatch(/tprop: backend/);
    });
  });
});
