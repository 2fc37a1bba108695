// `tprop list` and the help texts: the built-ins are listed, and every flag of run is documented.

import { describe, expect, it } from 'vitest';
import { RUN_FLAG_NAMES } from '../../cli/run-options.js';
import { LIST_USAGE, MAIN_USAGE, RUN_USAGE } from '../../cli/usage.js';
import { runCli } from './helpers/run-cli.js';

const ENVIRONMENTS = [
  'Adding-v0',
  'EmbeddedReber-v0',
  'MobyDick-v0',
  'Periodic-v0',
  'PermutationRecall-v0',
  'Reber-v0',
  'SineMixture-v0',
  'TemporalOrder-v0',
];

describe('tprop list', () => {
  it('lists the built-in environments and agents as JSON', async () => {
    const json = await runCli(['list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const listing = JSON.parse(json.stdout) as {
      environments: { id: string; description: string }[];
      agents: { kind: string; description: string }[];
    };
    expect(listing.environments.map((e) => e.id)).toEqual(expect.arrayContaining(ENVIRONMENTS));
    expect(listing.agents.map((a) => a.kind)).toEqual(expect.arrayContaining(['predictive', 'supervised']));
    for (const entry of [...listing.environments, ...listing.agents])
      expect(entry.description.length).toBeGreaterThan(0);
  });
});

describe('tprop help', () => {
  it('documents every flag of run, with examples', () => {
    for (const flag of RUN_FLAG_NAMES) expect(RUN_USAGE).toContain(`--${flag}`);
    for (const usage of [MAIN_USAGE, RUN_USAGE, LIST_USAGE]) expect(usage).toMatch(/Examples?:\n {2}tprop /);
  });

  it('prints usage for --help, help list and run --help, and fails without a command', async () => {
    const [main, listHelp, runHelp, none] = await Promise.all([
      runCli(['--help']),
      runCli(['help', 'list']),
      runCli(['run', '--help']),
      runCli([]),
    ]);
    expect([main.code, main.stdout]).toEqual([0, MAIN_USAGE]);
    expect([listHelp.code, listHelp.stdout]).toEqual([0, LIST_USAGE]);
    expect([runHelp.code, runHelp.stdout]).toEqual([0, RUN_USAGE]);
    expect([none.code, none.stderr]).toEqual([2, MAIN_USAGE]);
  });
});
