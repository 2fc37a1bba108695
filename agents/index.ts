// The built-in agents, registered by kind when this module is imported.

import { hasAgent, registerAgent } from '../src/agent/agent-registry.js';
import { PredictiveAgent, type PredictiveAgentOptions } from './predictive-agent.js';
import { SupervisedAgent } from './supervised-agent.js';

export { PredictiveAgent, LEARNERS, type LearnerKind, type PredictiveAgentOptions } from './predictive-agent.js';
export { SupervisedAgent, type LateSide } from './supervised-agent.js';
export type { Dream, DreamOptions } from './dream.js';
export type { AgentInference, AgentInferOptions } from './infer.js';

export const BUILTIN_AGENT_KINDS = ['predictive', 'supervised'] as const;

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
