// One worker's share of a sharded run, in whatever thread calls it: its own VectorEnvironment of
// its streams and its own agent stepping them together (observeBatch), seeded by the plan. The
// worker thread runs exactly this; so can a test, in-process, to compare against the workers.

import type { Agent, Outcome, Transition } from '../src/agent/agent.js';
import type { Frame, Topology } from '../src/agent/snapshot.js';
import { createAgent } from '../src/agent/agent-registry.js';
import type { Environment } from '../src/environment/environment.js';
import { makeEnvironment } from '../src/environment/environment-registry.js';
import { EnvironmentError, InvalidOptionError } from '../src/errors.js';
import { kernelHeap } from '../src/math/wasm-kernels.js';
import { vectorTransitions } from '../src/stream/vector-transitions.js';
import { VectorEnvironment } from '../src/wrappers/vector-environment.js';
import { type ResolvedDescription, type Shard, describeShard } from './shard-plan.js';
import { SteadyClock, type SteadyRate } from './steady-clock.js';

/** One stream's scores: means over its first steps and over the whole run, by metric name. */
export interface StreamResult {
  /** The stream's global index. */
  readonly stream: number;
  /** Its environment seed. */
  readonly seed: number;
  /** Means of its scores over its first `earlySteps` steps (a tenth of the run; 1,000 for an endless one). */
  readonly early: Readonly<Record<string, number>>;
  /** Means of its scores over every step it took. */
  readonly mean: Readonly<Record<string, number>>;
}

/** This thread's memory, in bytes (`rss` is the whole process's, shared by every thread). */
export interface ShardMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** The fused engine's WebAssembly memory in this thread (0 without the wasm kernels). */
  readonly kernelWasm: number;
}

export interface ShardProgress {
  readonly worker: number;
  /** Steps each of its streams has taken. */
  readonly steps: number;
  /** Stream steps per second since its previous sample (a step of 8 streams counts 8). */
  readonly stepsPerSecond: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface ShardResult {
  readonly worker: number;
  readonly first: number;
  readonly streams: number;
  readonly agentSeed: number;
  /** Steps each of its streams took. */
  readonly steps: number;
  /** Seconds of learning, on this worker's clock. */
  readonly seconds: number;
  /** Stream steps per second of learning. */
  readonly stepsPerSecond: number;
  /** The same over the run's later steps only (steadyRate): V8's and wasm's compilers warmed up. */
  readonly steady: SteadyRate;
  /** Its agent's metrics at the end. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly perStream: readonly StreamResult[];
  readonly memory: ShardMemory;
  /** Stopped before its steps were done. */
  readonly interrupted: boolean;
}

export interface ShardHooks {
  /** Asked before every step: true ends the run there (a worker waits in it while paused). */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (progress: ShardProgress) => void;
  /** With the description's `frameMs`: a frame of the agent (its stream 0) at most that often. */
  readonly onFrame?: (frame: Frame) => void;
}

type Factory = (options: Record<string, unknown>) => Environment;

/** The environment factory a description names (a module is imported here). */
async function factoryOf(description: ResolvedDescription): Promise<Factory> {
  const env = description.environment;
  if ('id' in env) return (options) => makeEnvironment(env.id, options);
  const exports = (await import(env.module)) as Record<string, unknown>;
  const exported = typeof exports.default === 'function' ? exports.default : exports.createEnvironment;
  if (typeof exported !== 'function')
    throw new EnvironmentError(
      `${env.module}: expected a factory of environments as the default export or as "createEnvironment", but ` +
        `the module exports [${Object.keys(exports).join(', ')}]`,
    );
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(exported));
  return isClass
    ? (options) => new (exported as new (o: Record<string, unknown>) => Environment)(options)
    : (options) => (exported as Factory)(options);
}

function memory(): ShardMemory {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    kernelWasm: kernelHeap?.memory.buffer.byteLength ?? 0,
  };
}

/** Sums of scores and their counts per metric, for means. */
class ScoreSums {
  private readonly sums = new Map<string, { sum: number; count: number }>();
  add(scores: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(scores)) {
      const s = this.sums.get(name) ?? { sum: 0, count: 0 };
      s.sum += value;
      s.count++;
      this.sums.set(name, s);
    }
  }
  means(): Record<string, number> {
    return Object.fromEntries(
      [...this.sums].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => [k, s.sum / s.count]),
    );
  }
}

/** A shard set up and ready to run: its vector environment and its agent. */
export class OpenShard {
  readonly shard: Shard;
  private readonly description: ResolvedDescription;
  private readonly vector: VectorEnvironment;
  private readonly agent: Agent;
  private readonly observe: (batch: Transition[]) => Outcome[];
  private disposed = false;

  constructor(description: ResolvedDescription, shard: Shard, vector: VectorEnvironment, agent: Agent) {
    this.description = description;
    this.shard = shard;
    this.vector = vector;
    this.agent = agent;
    const batched = agent as Agent & { observeBatch?: (t: readonly Transition[]) => Outcome[] };
    if (typeof batched.observeBatch === 'function') this.observe = (batch) => batched.observeBatch!(batch);
    else if (shard.streams === 1) this.observe = (batch) => [agent.observe(batch[0]!)];
    else
      throw new InvalidOptionError(
        `ShardedRun: expected an agent that steps several streams (observeBatch) for ${describeShard(shard)}, but ` +
          `agent "${agent.kind}" has none`,
      );
  }

  /** The agent's topology, named after the environment, for a viewer. */
  get topology(): Topology {
    const env = this.description.environment;
    const spec = this.vector.environments[0]!.spec?.id;
    return { ...this.agent.topology, environment: spec ?? ('id' in env ? env.id : this.agent.topology.environment) };
  }

  /** Runs its steps (or until `shouldStop`), synchronously, and reports what was learned. */
  run(hooks: ShardHooks = {}): ShardResult {
    const { shard, description } = this;
    const steps = description.steps;
    const earlySteps = steps === null ? 1000 : Math.max(1, Math.ceil(steps / 10));
    const early = Array.from({ length: shard.streams }, () => new ScoreSums());
    const whole = Array.from({ length: shard.streams }, () => new ScoreSums());
    const start = performance.now();
    const clock = new SteadyClock(steps === null ? null : Math.ceil(steps / 2), shard.streams);
    let sampled = start;
    let sampledSteps = 0;
    let framed = Number.NEGATIVE_INFINITY;
    let rate = 0;
    const frameMs = hooks.onFrame === undefined ? null : description.frameMs;
    let taken = 0;
    let interrupted = false;
    for (const batch of vectorTransitions(this.vector, steps === null ? {} : { steps })) {
      if (hooks.shouldStop?.()) {
        interrupted = true;
        break;
      }
      const outcomes = this.observe(batch);
      for (let r = 0; r < outcomes.length; r++) {
        whole[r]!.add(outcomes[r]!.scores);
        if (taken < earlySteps) early[r]!.add(outcomes[r]!.scores);
      }
      taken++;
      clock.tick(taken);
      if (frameMs !== null) {
        const now = performance.now();
        if (now - framed >= frameMs) {
          hooks.onFrame!({ ...this.agent.snapshot(), stepsPerSecond: rate });
          framed = now;
        }
      }
      if (hooks.onProgress !== undefined && (taken & 15) === 0) {
        const now = performance.now();
        if (now - sampled >= description.progressMs) {
          rate = ((taken - sampledSteps) * shard.streams) / ((now - sampled) / 1000);
          hooks.onProgress({ worker: shard.worker, steps: taken, stepsPerSecond: rate, metrics: this.agent.metrics() });
          sampled = now;
          sampledSteps = taken;
        }
      }
    }
    const end = performance.now();
    const seconds = (end - start) / 1000;
    return {
      worker: shard.worker,
      first: shard.first,
      streams: shard.streams,
      agentSeed: shard.agentSeed,
      steps: taken,
      seconds,
      stepsPerSecond: seconds > 0 ? (taken * shard.streams) / seconds : 0,
      steady: clock.rate(taken, end, start),
      metrics: this.agent.metrics(),
      perStream: whole.map((sums, r) => ({
        stream: shard.first + r,
        seed: shard.environmentSeed + r,
        early: early[r]!.means(),
        mean: sums.means(),
      })),
      memory: memory(),
      interrupted,
    };
  }

  /** Frees the agent's tensors and closes the environments (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.agent.dispose();
    } finally {
      this.vector.close();
    }
  }
}

/**
 * Builds worker `shard.worker`'s vector environment and agent. The engine must be started
 * (`initEngine`), and the environment and agent kinds registered, in the calling thread.
 */
export async function openShard(description: ResolvedDescription, shard: Shard): Promise<OpenShard> {
  const factory = await factoryOf(description);
  const options = description.environmentOptions;
  const vector = new VectorEnvironment(() => factory({ ...options }), {
    copies: shard.streams,
    seed: shard.environmentSeed,
    autoreset: 'next-step',
  });
  let agent: Agent | undefined;
  try {
    if (vector.actionSpace !== null)
      throw new InvalidOptionError(
        `ShardedRun: expected a passive environment (no action space: the streams are stepped without actions), ` +
          `but ${'id' in description.environment ? description.environment.id : description.environment.module} ` +
          `has actions ${JSON.stringify(vector.actionSpace)}`,
      );
    const { kind, ...rest } = description.agent;
    agent = createAgent({ kind, ...rest, streams: shard.streams, seed: shard.agentSeed }, vector.observationSpace);
    return new OpenShard(description, shard, vector, agent);
  } catch (error) {
    agent?.dispose();
    vector.close();
    throw error;
  }
}
