// `tprop list`: the registered environments and agent kinds, as a table or as one JSON object.

import { listAgents, listEnvironments } from 'tprop';
import 'tprop/agents';
import 'tprop/environments';

export interface Listing {
  readonly environments: ReadonlyArray<{
    id: string;
    description: string;
    defaults: Readonly<Record<string, unknown>>;
  }>;
  readonly agents: ReadonlyArray<{ kind: string; description: string }>;
}

export function listing(): Listing {
  return {
    environments: listEnvironments().map(({ id, description, defaults }) => ({ id, description, defaults })),
    agents: listAgents(),
  };
}

/** Prints the listing on stdout; `json` gives one object for programs. */
export function listCommand(json: boolean): number {
  const { environments, agents } = listing();
  if (json) {
    process.stdout.write(`${JSON.stringify({ environments, agents })}\n`);
    return 0;
  }
  const width = Math.max(...environments.map((e) => e.id.length), ...agents.map((a) => a.kind.length));
  const lines = ['Environments (tprop run <id>; options with --env-options):'];
  for (const e of environments) lines.push(`  ${e.id.padEnd(width)}  ${e.description}`);
  lines.push('', 'Agents (tprop run <id> --agent <kind>, or "kind" in a --config file):');
  for (const a of agents) lines.push(`  ${a.kind.padEnd(width)}  ${a.description}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
