// Saving an agent mid-stream and resuming it: its full state (weights, optimiser slots, the
// random generator, the recurrent window, counters and metrics) in a checkpoint file, written
// atomically with a format version and a checksum. A file that is corrupt, of another version or
// of another agent is a CheckpointError, and the agent in memory is left as it was.

import type { Agent, AgentState } from '../agent/agent.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';

export const AGENT_CHECKPOINT_KIND = 'tprop-agent';

export function saveAgent(agent: Agent, path: string): void {
  writeCheckpoint(path, agent.getState(), { kind: AGENT_CHECKPOINT_KIND });
}

/** Restores `agent` from the checkpoint at `path` (everything is checked before anything changes). */
export function loadAgent(agent: Agent, path: string): void {
  agent.setState(readCheckpoint(path, { kind: AGENT_CHECKPOINT_KIND }) as AgentState);
}
