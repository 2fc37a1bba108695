// An agent process on NATS: it learns its share of a run's observation streams, one StreamLearner
// (and one agent, made from the same config) per stream. Which streams are its own is given, as a
// list or as a share `index/count` (stream k belongs to share k mod count), or taken by leases
// (`'auto'`): the processes of a run then share its streams out evenly among those alive, so that
// adding a process adds throughput and the streams of a process that died are taken over.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import '../agents/index.js';
import { InvalidOptionError, createAgent, type AgentConfig } from '../src/index.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CheckpointStore } from './checkpoint-store.js';
import type { NatsLink } from './nats-connection.js';
import { openBuckets, waitForRun, type RunRecord } from './run-registry.js';
import {
  STREAM_LEARNER_DEFAULTS,
  StreamLearner,
  type StreamLearnerSettings,
  type StreamLearnerStats,
} from './stream-learner.js';
import { StreamLeases } from './stream-leases.js';
import { checkName } from './subjects.js';

export interface AgentNodeOptions extends Partial<StreamLearnerSettings> {
  readonly link: NatsLink;
  readonly run: string;
  /** The agents' config (`createAgent`); every stream's agent is made from it. */
  readonly config: AgentConfig;
  /**
   * The streams to learn: a list, the share { index, count }, or 'auto' (by leases, an even share of
   * the processes alive on the run). Default every stream of the run.
   */
  readonly streams?: readonly number[] | { readonly index: number; readonly count: number } | 'auto';
  /** With 'auto': how long a lease lives unless renewed, in ms (renewed 4 times as often). Default 10000. */
  readonly leaseMs?: number;
  /** How long to wait for the run to be registered, in ms. Default 30000. */
  readonly waitForRunMs?: number;
  readonly log?: (line: string) => void;
}

export interface AgentNodeStats {
  readonly learned: number;
  readonly deadLettered: number;
  readonly unknownRun: number;
  readonly duplicates: number;
  readonly gaps: number;
  readonly disconnects: number;
  readonly reconnects: number;
  readonly streams: StreamLearnerStats[];
}

/** The streams of a run that `share` names, checked against the run's count. */
export function streamsOf(share: AgentNodeOptions['streams'], record: RunRecord): number[] {
  const all = Array.from({ length: record.streams }, (_, k) => k);
  if (share === undefined || share === 'auto') return all;
  if (Array.isArray(share)) {
    const wrong = share.find((k) => !Number.isSafeInteger(k) || k < 0 || k >= record.streams);
    if (wrong !== undefined) {
      throw new InvalidOptionError(
        `AgentNode: expected streams in [0, ${record.streams - 1}] (run "${record.run}" has ${record.streams}), ` +
          `but got ${wrong}`,
      );
    }
    return [...new Set(share)];
  }
  const { index, count } = share as { index: number; count: number };
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new InvalidOptionError(
      `AgentNode: expected a share index/count with 0 <= index < count, but got ${index}/${count}`,
    );
  return all.filter((k) => k % count === index);
}

interface NodeContext {
  readonly link: NatsLink;
  readonly record: RunRecord;
  readonly make: (k: number) => StreamLearner;
  readonly log: (line: string) => void;
}

/** A name for this process in the leases: one subject token. */
function ownerName(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class AgentNode {
  /** Rejects when a stream's learning fails for good; resolves after stop(). */
  readonly done: Promise<void>;
  readonly record: RunRecord;
  private readonly active = new Map<number, StreamLearner>();
  /** The last stats of each stream this process learned and gave up (or stopped). */
  private readonly retired = new Map<number, StreamLearnerStats>();
  private leases: StreamLeases | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  private resolveDone!: () => void;
  private rejectDone!: (error: unknown) => void;

  private constructor(private readonly context: NodeContext) {
    this.record = context.record;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  /** The streams this process learns now, in order. */
  get learners(): StreamLearner[] {
    return [...this.active.values()].sort((a, b) => a.stream - b.stream);
  }

  /** Waits for the run, builds an agent per stream of the share, restores each and starts learning. */
  static async start(options: AgentNodeOptions): Promise<AgentNode> {
    const run = checkName('AgentNode.start', 'a run name', options.run);
    const { link } = options;
    const log = options.log ?? (() => undefined);
    const settings: StreamLearnerSettings = { ...STREAM_LEARNER_DEFAULTS };
    for (const key of Object.keys(STREAM_LEARNER_DEFAULTS) as (keyof StreamLearnerSettings)[]) {
      const value = options[key];
      if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
    }
    if (!Number.isSafeInteger(settings.checkpointEvery) || settings.checkpointEvery < 1)
      throw new InvalidOptionError(`AgentNode: expected checkpointEvery >= 1, but got ${settings.checkpointEvery}`);
    const leaseMs = options.leaseMs ?? 10_000;
    if (!Number.isFinite(leaseMs) || leaseMs < 500)
      throw new InvalidOptionError(`AgentNode: expected leaseMs >= 500, but got ${leaseMs}`);
    const { runs, checkpoints } = await openBuckets(link.connection);
    const record = await waitForRun(runs, run, options.waitForRunMs ?? 30_000, log);
    const js = jetstream(link.connection);
    const jsm = await jetstreamManager(link.connection);
    const store = new CheckpointStore(checkpoints, link.connection);
    const make = (k: number) => {
      const agent = createAgent(options.config, record.observationSpace, record.actionSpace);
      return new StreamLearner(link, js, jsm, store, run, k, agent, settings, log, record.environment);
    };
    const node = new AgentNode({ link, record, make, log });
    try {
      if (options.streams === 'auto') {
        node.leases = await StreamLeases.open(link.connection, run, ownerName(), leaseMs);
        await node.share();
        node.timer = setInterval(() => void node.share(), Math.max(100, leaseMs / 4));
      } else {
        for (const k of streamsOf(options.streams, record)) await node.add(k);
      }
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  /** Counts over every stream this process learns or has learned (a stream given up: as it was then). */
  stats(): AgentNodeStats {
    const byStream = new Map(this.retired);
    for (const learner of this.active.values()) byStream.set(learner.stream, learner.stats());
    const streams = [...byStream.values()].sort((a, b) => a.stream - b.stream);
    const sum = (pick: (s: StreamLearnerStats) => number) => streams.reduce((a, s) => a + pick(s), 0);
    return {
      learned: sum((s) => s.learned),
      deadLettered: sum((s) => s.deadLettered),
      unknownRun: sum((s) => s.unknownRun),
      duplicates: sum((s) => s.duplicates),
      gaps: sum((s) => s.gaps),
      disconnects: this.context.link.disconnects,
      reconnects: this.context.link.reconnects,
      streams,
    };
  }

  /** Stops every stream (each saves and acknowledges what it learned), gives its leases up, disposes the agents. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    while (this.ticking) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const k of [...this.active.keys()]) await this.drop(k, true);
    await this.leases?.leave().catch(() => undefined);
    this.resolveDone();
  }

  private async add(k: number): Promise<void> {
    const learner = this.context.make(k);
    this.active.set(k, learner);
    try {
      await learner.start();
    } catch (error) {
      this.active.delete(k);
      learner.agent.dispose();
      throw error;
    }
    learner.done.catch((error: unknown) => this.failed(k, learner, error));
    if (this.stopped) await this.drop(k, true);
  }

  private failed(k: number, learner: StreamLearner, error: unknown): void {
    if (this.stopped || this.active.get(k) !== learner) return;
    if (this.leases !== null && (error as { code?: string }).code === 'ERR_NATS_FENCED') {
      // Another process took the stream over while this one stalled: it is theirs now.
      this.context.log(`tprop agent: ${learner.name}: taken over by another process; giving it up`);
      void this.drop(k, false).then(() => this.leases?.release(k));
      return;
    }
    this.rejectDone(error);
  }

  private async drop(k: number, save: boolean): Promise<void> {
    const learner = this.active.get(k);
    if (learner === undefined) return;
    this.active.delete(k);
    await (save ? learner.stop() : learner.abandon());
    this.retired.set(k, { ...learner.stats(), stepsPerSecond: 0 });
    learner.agent.dispose();
  }

  /**
   * One round of sharing by leases: renew ours (a lost one is given up unsaved), count the processes
   * alive, give up what is over an even share (saved first) and claim free streams up to it.
   */
  private async share(): Promise<void> {
    const leases = this.leases;
    if (leases === null || this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await leases.announce();
      for (const k of [...this.active.keys()]) {
        if (await leases.renew(k)) continue;
        this.context.log(`tprop agent: lost the lease of stream ${k}; another process learns it now`);
        await this.drop(k, false);
      }
      const streams = this.context.record.streams;
      const target = Math.ceil(streams / Math.max(1, await leases.processes()));
      const mine = [...this.active.keys()].sort((a, b) => b - a);
      while (this.active.size > target && !this.stopped) {
        const k = mine.shift()!;
        await this.drop(k, true);
        await leases.release(k);
      }
      for (let k = 0; k < streams && this.active.size < target && !this.stopped; k++) {
        if (this.active.has(k) || !(await leases.claim(k))) continue;
        try {
          await this.add(k);
        } catch (error) {
          await leases.release(k);
          throw error;
        }
      }
    } catch (error) {
      if (!this.stopped) this.context.log(`tprop agent: sharing the streams out: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }
}
