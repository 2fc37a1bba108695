// The built-in agents, registered by kind when this module is imported.

import { hasAgent, registerAgent } from '../src/agent/agent-registry.js';
import { PredictiveAgent, type PredictiveAgentOptions } from './predictive-agent.js';
import { SupervisedAgent } from './supervised-agent.js';
import { ActingAgent, type ActingAgentOptions } from './acting-agent.js';

export { PredictiveAgent, LEARNERS, type LearnerKind, type PredictiveAgentOptions } from './predictive-agent.js';
export { SupervisedAgent, type LateSide } from './supervised-agent.js';
export {
  ActingAgent,
  ACTING_POLICIES,
  type ActingAgentOptions,
  type ActingExploration,
  type ActingPolicy,
} from './acting-agent.js';
export type { Dream, DreamOptions } from './dream.js';
export type { RehearsalOptions } from './rehearsal.js';
export type { AgentInference, AgentInferOptions } from './infer.js';

export const BUILTIN_AGENT_KINDS = ['predictive', 'supervised', 'acting'] as const;

if (!hasAgent('predictive')) {
  registerAgent('predictive', {
    description:
      'Recurrent stack learning online by target propagation through time; predicts its next observation and any ' +
      'side modality',
    create: (space, options) => new PredictiveAgent(space, options as PredictiveAgentOptions),
  });
}
if (!hasAgent('supervised')) {
  registerAgent('supervised', {
    description: 'Recurrent stack whose labels enter the top as side information, on time, late or never',
    create: (space, options) => new SupervisedAgent(space, options as PredictiveAgentOptions),
  });
}
if (!hasAgent('acting')) {
  registerAgent('acting', {
    description:
      'Acts by inference through the top auto-encoder: action and return are side modalities; the action whose ' +
      'inferred return is highest (or nearest a command)',
    create: (space, options, actionSpace) =>
      new ActingAgent(space, options as ActingAgentOptions, actionSpace ?? undefined),
  });
}
