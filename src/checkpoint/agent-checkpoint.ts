// Saving an agent mid-stream and resuming it: its full state (weights, optimiser slots, the
// random generator, the recurrent window, counters and metrics) in a checkpoint file, written
// atomically with a format version and a checksum. A file that is corrupt, of another version or
// of another agent is a CheckpointError, and the agent in memory is left as it was.

import type { Agent, AgentState } from '../agent/agent.js';
import { readCheckpointOf, writeCheckpoint } from './checkpoint-file.js';
import { RUN_CHECKPOINT_KIND, checkRunState } from './run-checkpoint.js';

export const AGENT_CHECKPOINT_KIND = 'tprop-agent';

/** Saves the agent alone (see `saveRun` for a whole run, the environment and counters with it). */
export function saveAgent(agent: Agent, path: string): void {
  writeCheckpoint(path, agent.getState(), { kind: AGENT_CHECKPOINT_KIND });
}

/**
 * Restores `agent` from the checkpoint at `path`: an agent's, or the agent of a run's (`saveRun`).
 * Everything is checked before anything changes.
 */
export function loadAgent(agent: Agent, path: string): void {
  const { kind, payload } = readCheckpointOf(path, [AGENT_CHECKPOINT_KIND, RUN_CHECKPOINT_KIND]);
  const state = kind === RUN_CHECKPOINT_KIND ? checkRunState(payload, 'loadAgent').agent : (payload as AgentState);
  agent.setState(state);
}
