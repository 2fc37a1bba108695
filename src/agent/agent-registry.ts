// A registry of agent kinds, so that agents can be named in a config file or on the command
// line: `createAgent({ kind: 'predictive', layers: [64] }, observationSpace)`. A config is plain
// data (loadable from JSON); an unknown kind or option is an error that names it.

import { readFileSync } from 'node:fs';
import type { Agent } from './agent.js';
import { InvalidOptionError, UnknownIdError, describeValue } from '../errors.js';
import type { Space } from '../environment/space.js';

export interface AgentRegistration {
  readonly description: string;
  /** `actionSpace`: the environment's, for agents that act (null or absent for a stream without actions). */
  readonly create: (observationSpace: Space, options: Record<string, unknown>, actionSpace?: Space | null) => Agent;
}

/** An agent config: its kind and the kind's options, as plain data. */
export type AgentConfig = { readonly kind: string } & Readonly<Record<string, unknown>>;

const registry = new Map<string, AgentRegistration>();

export function registerAgent(kind: string, registration: AgentRegistration): void {
  if (!/^[a-z][a-z0-9-]*$/.test(kind))
    throw new InvalidOptionError(`registerAgent: expected a kind in kebab-case, but got ${describeValue(kind)}`);
  if (registry.has(kind))
    throw new InvalidOptionError(`registerAgent: expected a new kind, but "${kind}" is registered already`);
  registry.set(kind, registration);
}

export function hasAgent(kind: string): boolean {
  return registry.has(kind);
}

export function listAgents(): { kind: string; description: string }[] {
  return [...registry]
    .map(([kind, r]) => ({ kind, description: r.description }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}

/** Makes an agent from a config (or a bare kind) for an observation space. */
export function createAgent(config: AgentConfig | string, observationSpace: Space, actionSpace?: Space | null): Agent {
  const { kind, ...options } = typeof config === 'string' ? { kind: config } : config;
  const registration = registry.get(kind);
  if (!registration) {
    throw new UnknownIdError(
      `createAgent: expected an agent kind among [${[...registry.keys()].join(', ')}], but got ${describeValue(kind)}`,
    );
  }
  return registration.create(observationSpace, options, actionSpace);
}

/**
 * Reads an agent config from a JSON file. Its `kind` defaults to `fallbackKind`; the options are
 * checked when the agent is made, so a typo in a key is reported with its name then.
 */
export function loadAgentConfig(path: string, fallbackKind = 'predictive'): AgentConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidOptionError(
      `loadAgentConfig: expected ${path} to hold a JSON object, but ${(err as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidOptionError(
      `loadAgentConfig: expected ${path} to hold a JSON object, but got ${describeValue(parsed)}`,
    );
  }
  const kind = (parsed as Record<string, unknown>).kind ?? fallbackKind;
  if (typeof kind !== 'string')
    throw new InvalidOptionError(
      `loadAgentConfig: expected "kind" in ${path} to be a string, but got ${describeValue(kind)}`,
    );
  return { ...(parsed as Record<string, unknown>), kind };
}
