// The run's agent: made from --config and/or --agent, or restored whole, kind and options and
// state, from a --load checkpoint, so that resuming needs no more than the file.

import {
  CheckpointError,
  InvalidOptionError,
  createAgent,
  loadAgentConfig,
  readCheckpoint,
  type Agent,
  type AgentConfig,
  type AgentState,
  type Space,
} from 'tprop';
import 'tprop/agents';
import { CliError } from './cli-error.js';

export const DEFAULT_AGENT_KIND = 'predictive';

// The kind `saveAgent` stamps on its files: part of the checkpoint format, so it cannot change
// without old files becoming unreadable (the save-then-load tests would catch a change).
const AGENT_CHECKPOINT_KIND = 'tprop-agent';

export interface AgentSource {
  readonly agent: string | undefined;
  readonly config: string | undefined;
  readonly load: string | undefined;
  readonly seed: number | undefined;
}

/** The config of a new agent: the file's, else the kind's defaults; `seed` when the config sets none. */
export function agentConfig(source: AgentSource): AgentConfig {
  const kind = source.agent ?? DEFAULT_AGENT_KIND;
  let config: AgentConfig = source.config === undefined ? { kind } : loadAgentConfig(source.config, kind);
  if (source.config !== undefined && source.agent !== undefined && config.kind !== source.agent) {
    throw new InvalidOptionError(
      `run: expected --agent ${source.agent} to agree with "kind" in ${source.config}, but the file says ` +
        `"${config.kind}"`,
    );
  }
  if (source.seed !== undefined && config.seed === undefined) config = { ...config, seed: source.seed };
  return config;
}

/** Makes the agent for `space`; with `load`, restores it (a bad file is a CheckpointError). */
export function openAgent(source: AgentSource, space: Space): Agent {
  if (source.load === undefined) {
    const config = agentConfig(source);
    try {
      return createAgent(config, space);
    } catch (error) {
      // The agent names the option; the file it came from is what the user needs to open.
      if (source.config !== undefined && error instanceof InvalidOptionError)
        throw new InvalidOptionError(`${source.config}: ${error.message}`);
      throw error;
    }
  }
  const state = readState(source.load);
  const agent = createAgent({ ...(state.options as Record<string, unknown>), kind: state.kind }, space);
  try {
    agent.setState(state);
  } catch (error) {
    agent.dispose();
    throw error;
  }
  return agent;
}

function readState(path: string): AgentState {
  let state: unknown;
  try {
    state = readCheckpoint(path, { kind: AGENT_CHECKPOINT_KIND });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliError(`--load: expected a checkpoint file, but ${path} does not exist`);
    throw error;
  }
  const s = state as Partial<AgentState> | null;
  const options = s?.options;
  if (typeof s?.kind !== 'string' || typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_CORRUPT',
      `--load: expected ${path} to hold an agent's kind and options, but it does not`,
    );
  }
  return state as AgentState;
}
