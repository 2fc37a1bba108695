// The flags of `tprop env`, `tprop agent`, `tprop replay` and `run --watch`: every flag is in its help
// text, misuse is named by its flag, and the defaults are what the help says (no server needed).

import { describe, expect, it } from 'vitest';
import { meanMetrics } from '../../cli/agent-command.js';
import { CliError } from '../../cli/cli-error.js';
import {
  NATS_DEFAULT_URL,
  NATS_FLAG_NAMES,
  parseAgentArgs,
  parseEnvArgs,
  parseReplayArgs,
} from '../../cli/nats-options.js';
import { parseRunArgs } from '../../cli/run-options.js';
import { AGENT_USAGE, ENV_USAGE, MAIN_USAGE, REPLAY_USAGE, RUN_USAGE } from '../../cli/usage.js';
import { DEFAULT_NATS_URL } from '../../cluster/subjects.js';

function refused(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return (error as Error).message;
  }
  throw new Error('expected a CliError');
}

const options = <T>(parsed: { help: boolean; options?: T }): T => {
  expect(parsed.help).toBe(false);
  return parsed.options!;
};

describe('the NATS commands', () => {
  it('document every flag, with examples, and the main help lists them', () => {
    const usages = { env: ENV_USAGE, agent: AGENT_USAGE, replay: REPLAY_USAGE };
    for (const [command, flags] of Object.entries(NATS_FLAG_NAMES)) {
      for (const flag of flags) expect(usages[command as keyof typeof usages]).toContain(`--${flag}`);
      expect(usages[command as keyof typeof usages]).toMatch(/Examples?:\n {2}tprop /);
      expect(MAIN_USAGE).toContain(`  ${command} `);
    }
    expect(RUN_USAGE).toContain('--watch AGENT');
    expect(NATS_DEFAULT_URL).toBe(DEFAULT_NATS_URL);
  });

  it('read env: defaults, and misuse named by its flag', () => {
    const env = options(parseEnvArgs(['Reber-v0', '--run', 'demo']));
    expect(env).toMatchObject({ environment: 'Reber-v0', run: 'demo', nats: NATS_DEFAULT_URL, streams: 1, seed: 0 });
    expect(env.steps).toBeUndefined();
    expect(refused(() => parseEnvArgs(['Reber-v0']))).toBe('--run: expected a name, such as --run demo');
    expect(refused(() => parseEnvArgs(['Reber-v0', '--run', 'a.b']))).toBe(
      '--run: expected 1 to 64 letters, digits, "_" or "-" (a NATS subject token), but got "a.b"',
    );
    expect(refused(() => parseEnvArgs(['Reber-v0', '--run', 'r', '--streams', '0']))).toBe(
      '--streams: expected an integer in [1, 10000], but got "0"',
    );
    expect(refused(() => parseEnvArgs(['Reber-v0', '--run', 'r', '--rate', '-1']))).toBe(
      '--rate: expected a number > 0, but got "-1"',
    );
    expect(refused(() => parseEnvArgs(['--run', 'r']))).toMatch(/^env: expected one environment/);
    expect(refused(() => parseEnvArgs(['Reber-v0', '--run', 'r', '--bogus']))).toBe(
      'env: unknown flag --bogus (see tprop env --help)',
    );
  });

  it('read agent: a share, a list of streams, not both', () => {
    expect(options(parseAgentArgs(['--run', 'demo', '--share', '1/3'])).streams).toEqual({ index: 1, count: 3 });
    expect(options(parseAgentArgs(['--run', 'demo', '--streams', '0, 2,5'])).streams).toEqual([0, 2, 5]);
    const auto = options(parseAgentArgs(['--run', 'demo', '--share', 'auto', '--lease-ms', '2000']));
    expect([auto.streams, auto.leaseMs]).toEqual(['auto', 2000]);
    const plain = options(parseAgentArgs(['--run', 'demo']));
    expect(plain).toMatchObject({ streams: undefined, predictions: true, nats: NATS_DEFAULT_URL });
    expect(options(parseAgentArgs(['--run', 'd', '--no-predictions'])).predictions).toBe(false);
    expect(refused(() => parseAgentArgs(['--run', 'd', '--share', '2/2']))).toBe(
      '--share: expected K/N with 0 <= K < N, such as 0/2, or auto, but got "2/2"',
    );
    expect(refused(() => parseAgentArgs(['--run', 'd', '--share', '0/2', '--streams', '1']))).toBe(
      '--share: cannot be combined with --streams; give one of them',
    );
    expect(refused(() => parseAgentArgs(['--run', 'd', '--checkpoint-every', '0']))).toBe(
      '--checkpoint-every: expected an integer >= 1, but got "0"',
    );
  });

  it('read replay and run --watch', () => {
    expect(options(parseReplayArgs(['--from', 'a', '--run', 'b']))).toMatchObject({ rate: 'fast' });
    expect(refused(() => parseReplayArgs(['--from', 'a', '--run', 'b', '--rate', 'slow']))).toBe(
      '--rate: expected "original" or "fast", but got "slow"',
    );
    const watch = options(parseRunArgs(['--viewer', '--watch', 'demo-3', '--port', '0']));
    expect(watch).toMatchObject({ watch: 'demo-3', nats: NATS_DEFAULT_URL, viewer: { port: 0 } });
    expect(refused(() => parseRunArgs(['--watch', 'demo-3']))).toBe(
      '--watch: only applies with --viewer (it serves the page of a remote agent)',
    );
    expect(refused(() => parseRunArgs(['Reber-v0', '--viewer', '--watch', 'demo-3']))).toMatch(
      /^run: with --watch, expected no environment/,
    );
    expect(refused(() => parseRunArgs(['--viewer', '--watch', 'd', '--steps', '5']))).toBe(
      '--steps: does not apply with --watch',
    );
    expect(refused(() => parseRunArgs(['Reber-v0', '--nats', 'nats://x']))).toBe(
      '--nats: with run, only applies with --watch AGENT',
    );
  });
});

describe('tprop agent --json', () => {
  it('averages each metric over the streams that have it', () => {
    const mean = meanMetrics([{ 'next/logLoss': 1, 'next/accuracy': 0.5 }, { 'next/logLoss': 2 }, {}]);
    expect(mean).toEqual({ 'next/logLoss': 1.5, 'next/accuracy': 0.5 });
    expect(meanMetrics([])).toEqual({});
  });
});
