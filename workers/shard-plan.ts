// The description of a sharded run and its plan: S streams of one environment cut into W
// contiguous shares, one per worker, each with the seeds that make the same description give
// the same run. The description is plain data (it is all the workers share with the main thread).

import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentConfig } from '../src/agent/agent-registry.js';
import { InvalidOptionError, describeValue } from '../src/errors.js';
import { checkKeys, numberOption } from '../src/options.js';

/** A registered environment id, or a module (a path or a file: URL) exporting a factory, with options. */
export type ShardEnvironment =
  | { readonly id: string; readonly options?: Readonly<Record<string, unknown>> }
  | { readonly module: string; readonly options?: Readonly<Record<string, unknown>> };

export interface ShardedRunDescription {
  /**
   * The environment every stream is a copy of: `{ id }` as `makeEnvironment` takes it, or `{ module }`
   * whose default export (or `createEnvironment`) is a factory or class of environments, as
   * `tprop run` takes it. Passive environments only (no action space). Required.
   */
  readonly environment: ShardEnvironment;
  /**
   * The agent of each worker, as `createAgent` takes it; `streams` is set to the worker's share, and
   * `seed` (default: the run's) is the base of the workers' seeds. Default `{ kind: 'predictive' }`.
   */
  readonly agent?: AgentConfig;
  /** S: the streams of the whole run (an integer >= 1). Required. */
  readonly streams: number;
  /** W: worker threads, 1 <= W <= S. Required. */
  readonly workers: number;
  /** Steps each stream takes (the run's stream steps are steps × S). Default: until `stop()`. */
  readonly steps?: number;
  /** Stream i is reset with seed `seed + i`; worker w's agent has seed `(agent.seed ?? seed) + w`. Default 0. */
  readonly seed?: number;
  /**
   * Modules (file: URLs, absolute paths or package names) each worker imports before anything else,
   * e.g. one that registers an environment or an agent kind: registries are per thread. Default [].
   */
  readonly preload?: readonly string[];
  /** Milliseconds between two progress samples of a worker (>= 10). Default 1000. */
  readonly progressMs?: number;
  /**
   * With a number, worker 0 sends a frame of its agent (`snapshot()`, its stream 0) at most every
   * `frameMs` milliseconds, for a viewer (>= 0). Default: no frames.
   */
  readonly frameMs?: number;
}

/** A description with its defaults filled in and module paths made file: URLs. */
export interface ResolvedDescription {
  readonly environment: { readonly id: string } | { readonly module: string };
  readonly environmentOptions: Readonly<Record<string, unknown>>;
  readonly agent: AgentConfig;
  readonly streams: number;
  readonly workers: number;
  readonly steps: number | null;
  readonly seed: number;
  readonly preload: readonly string[];
  readonly progressMs: number;
  readonly frameMs: number | null;
}

/** One worker's share of the run. */
export interface Shard {
  readonly worker: number;
  /** The global index of its first stream; it steps streams first .. first + streams - 1. */
  readonly first: number;
  readonly streams: number;
  /** Its VectorEnvironment's seed: its copy j is stream first + j, reset with seed + first + j. */
  readonly environmentSeed: number;
  readonly agentSeed: number;
}

const KEYS = ['environment', 'agent', 'streams', 'workers', 'steps', 'seed', 'preload', 'progressMs', 'frameMs'];
const WHERE = 'ShardedRun';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path (relative to the working directory) or URL as a URL string; bare names stay (package names). */
function moduleUrl(what: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new InvalidOptionError(`${WHERE}: expected ${what} to be a path or URL, but got ${describeValue(value)}`);
  if (/^(?:file|data|node):/.test(value)) return value;
  if (isAbsolute(value) || value.startsWith('.')) return pathToFileURL(resolve(value)).href;
  return value;
}

/** Checks a description and fills in its defaults; throws InvalidOptionError naming what is wrong. */
export function resolveDescription(description: ShardedRunDescription): ResolvedDescription {
  if (!isPlainObject(description))
    throw new InvalidOptionError(`${WHERE}: expected a description object, but got ${describeValue(description)}`);
  checkKeys(WHERE, description, KEYS);
  const env = description.environment as unknown;
  if (!isPlainObject(env))
    throw new InvalidOptionError(
      `${WHERE}: expected option "environment" to be { id } or { module }, but got ${describeValue(env)}`,
    );
  checkKeys(`${WHERE} environment`, env, ['id', 'module', 'options']);
  if ((env.id === undefined) === (env.module === undefined))
    throw new InvalidOptionError(
      `${WHERE}: expected option "environment" to have one of "id" and "module", but got ${describeValue(env)}`,
    );
  if (env.id !== undefined && (typeof env.id !== 'string' || env.id === ''))
    throw new InvalidOptionError(
      `${WHERE}: expected environment "id" to be a string, but got ${describeValue(env.id)}`,
    );
  if (env.options !== undefined && !isPlainObject(env.options))
    throw new InvalidOptionError(
      `${WHERE}: expected environment "options" to be an object, but got ${describeValue(env.options)}`,
    );
  const agent = description.agent ?? { kind: 'predictive' };
  if (!isPlainObject(agent) || typeof agent.kind !== 'string')
    throw new InvalidOptionError(
      `${WHERE}: expected option "agent" to be a config with a "kind", but got ${describeValue(agent)}`,
    );
  if (agent.streams !== undefined)
    throw new InvalidOptionError(
      `${WHERE}: expected no "streams" in the agent config (each worker's agent steps its share of option ` +
        `"streams"), but got ${describeValue(agent.streams)}`,
    );
  if (description.streams === undefined)
    throw new InvalidOptionError(`${WHERE}: expected option "streams" (an integer >= 1), but got none`);
  if (description.workers === undefined)
    throw new InvalidOptionError(`${WHERE}: expected option "workers" (an integer >= 1), but got none`);
  const streams = numberOption(WHERE, 'streams', description.streams, 1, { integer: true, min: 1 });
  const workers = numberOption(WHERE, 'workers', description.workers, 1, { integer: true, min: 1, max: streams });
  const steps =
    description.steps === undefined
      ? null
      : numberOption(WHERE, 'steps', description.steps, 1, { integer: true, min: 1 });
  const seed = numberOption(WHERE, 'seed', description.seed, 0, { integer: true });
  if (agent.seed !== undefined) numberOption(WHERE, 'agent.seed', agent.seed, 0, { integer: true });
  const progressMs = numberOption(WHERE, 'progressMs', description.progressMs, 1000, { min: 10 });
  const frameMs =
    description.frameMs === undefined ? null : numberOption(WHERE, 'frameMs', description.frameMs, 0, { min: 0 });
  const preload = description.preload ?? [];
  if (!Array.isArray(preload))
    throw new InvalidOptionError(
      `${WHERE}: expected option "preload" to be an array, but got ${describeValue(preload)}`,
    );
  return {
    environment:
      env.id !== undefined ? { id: env.id as string } : { module: moduleUrl('environment "module"', env.module) },
    environmentOptions: { ...((env.options as Record<string, unknown> | undefined) ?? {}) },
    agent: agent as AgentConfig,
    streams,
    workers,
    steps,
    seed,
    preload: preload.map((p, i) => moduleUrl(`preload[${i}]`, p)),
    progressMs,
    frameMs,
  };
}

/** The W contiguous shares of S streams: the first S mod W workers take one stream more. */
export function planShards(description: ResolvedDescription): Shard[] {
  const { streams, workers, seed } = description;
  const base = Math.floor(streams / workers);
  const agentBase = (description.agent.seed as number | undefined) ?? seed;
  const shards: Shard[] = [];
  let first = 0;
  for (let worker = 0; worker < workers; worker++) {
    const share = base + (worker < streams % workers ? 1 : 0);
    shards.push({ worker, first, streams: share, environmentSeed: seed + first, agentSeed: agentBase + worker });
    first += share;
  }
  return shards;
}

/** "streams 8–15", for messages. */
export function describeShard(shard: Shard): string {
  return shard.streams === 1 ? `stream ${shard.first}` : `streams ${shard.first}–${shard.first + shard.streams - 1}`;
}
