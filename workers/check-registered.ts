// What the main thread checks of a description before any worker starts, with the built-in
// registries: the agent kind, and for an environment id one copy made and closed here (so an
// unknown id or option, or an environment with actions, fails at once, with its own error).

import '../environments/index.js';
import '../agents/index.js';
import { hasAgent, listAgents } from '../src/agent/agent-registry.js';
import { makeEnvironment } from '../src/environment/environment-registry.js';
import { InvalidOptionError, UnknownIdError, describeValue } from '../src/errors.js';
import type { ResolvedDescription } from './shard-plan.js';

/** Checks, on this thread, what the built-in registries can tell before any worker starts. */
export function checkRegistered(description: ResolvedDescription): void {
  // Kinds registered by a preload exist only in the workers, which then report them.
  if (description.preload.length > 0) return;
  const kind = description.agent.kind;
  if (!hasAgent(kind))
    throw new UnknownIdError(
      `ShardedRun: expected an agent kind among [${listAgents()
        .map((a) => a.kind)
        .join(', ')}], but got ${describeValue(kind)}`,
    );
  const env = description.environment;
  if (!('id' in env)) return;
  // One copy, made and closed here: an unknown id or option, or an action space, fails now.
  const probe = makeEnvironment(env.id, { ...description.environmentOptions });
  try {
    if (probe.actionSpace !== null)
      throw new InvalidOptionError(
        `ShardedRun: expected a passive environment (no action space: the streams are stepped without actions), ` +
          `but ${env.id} has actions ${JSON.stringify(probe.actionSpace)}`,
      );
  } finally {
    probe.close?.();
  }
}
