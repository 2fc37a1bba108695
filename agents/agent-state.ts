// Saving and restoring an agent built on a RecurrentStack: the stack's state plus the agent's own
// counters, with a check that the saved agent is of the same kind and options.

import type { AgentState } from '../src/agent/agent.js';
import { CheckpointError } from '../src/errors.js';
import type { RecurrentStack } from '../src/learner/recurrent-stack.js';

export const AGENT_STATE_VERSION = 1;

export function agentState(
  kind: string,
  options: unknown,
  stack: RecurrentStack,
  extra: Record<string, unknown>,
): AgentState {
  return {
    kind,
    version: AGENT_STATE_VERSION,
    options: JSON.parse(JSON.stringify(options ?? {})),
    data: { stack: stack.getState(), extra },
  };
}

/**
 * Restores `state` into `stack` after checking it belongs to an agent like this one; returns the agent's extra data.
 */
export function restoreAgent(
  kind: string,
  options: unknown,
  stack: RecurrentStack,
  state: AgentState,
): Record<string, unknown> {
  const where = 'Agent.setState';
  if (!state || state.kind !== kind)
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected the state of a ${kind} agent, but got ${state?.kind ?? 'nothing'}`,
    );
  if (state.version !== AGENT_STATE_VERSION)
    throw new CheckpointError(
      'ERR_CHECKPOINT_VERSION',
      `${where}: expected agent state version ${AGENT_STATE_VERSION}, but got ${state.version}`,
    );
  if (JSON.stringify(state.options) !== JSON.stringify(JSON.parse(JSON.stringify(options ?? {})))) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected a state saved with the same options, but they differ`,
    );
  }
  stack.setState(state.data.stack as Parameters<RecurrentStack['setState']>[0]);
  return state.data.extra as Record<string, unknown>;
}
