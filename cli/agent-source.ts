// The run's agent when it starts afresh: made from --config and/or --agent. A --load checkpoint
// makes its own agent (kind, options and state) in checkpoint-target.ts.

import { InvalidOptionError, createAgent, loadAgentConfig, type Agent, type AgentConfig, type Space } from 'tprop';
import 'tprop/agents';

export const DEFAULT_AGENT_KIND = 'predictive';

export interface AgentSource {
  readonly agent: string | undefined;
  readonly config: string | undefined;
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

/** Makes a new agent for `space` from --agent / --config (a --load checkpoint is cli/checkpoint-target.ts's). */
export function openAgent(source: AgentSource, space: Space, actionSpace: Space | null = null): Agent {
  const config = agentConfig(source);
  try {
    return createAgent(config, space, actionSpace);
  } catch (error) {
    // The agent names the option; the file it came from is what the user needs to open.
    if (source.config !== undefined && error instanceof InvalidOptionError)
      throw new InvalidOptionError(`${source.config}: ${error.message}`);
    throw error;
  }
}
