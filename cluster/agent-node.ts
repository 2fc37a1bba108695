// An agent process on NATS: it learns its share of a run's observation streams, one StreamLearner
// (and one agent, made from the same config) per stream. Which streams are its own is given, as a
// list or as a share `index/count` (stream k belongs to share k mod count): adding a process and
// giving each a share adds throughput, and a stream is never learned by two processes at once.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import '../agents/index.js';
import { InvalidOptionError, createAgent, type AgentConfig } from '../src/index.js';
import { CheckpointStore } from './checkpoint-store.js';
import type { NatsLink } from './nats-connection.js';
import { openBuckets, waitForRun, type RunRecord } from './run-registry.js';
import {
  STREAM_LEARNER_DEFAULTS,
  StreamLearner,
  type StreamLearnerSettings,
  type StreamLearnerStats,
} from './stream-learner.js';
import { checkName } from './subjects.js';

export interface AgentNodeOptions extends Partial<StreamLearnerSettings> {
  readonly link: NatsLink;
  readonly run: string;
  /** The agents' config (`createAgent`); every stream's agent is made from it. */
  readonly config: AgentConfig;
  /** The streams to learn: a list, or the share { index, count }. Default every stream of the run. */
  readonly streams?: readonly number[] | { readonly index: number; readonly count: number };
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
  if (share === undefined) return all;
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

export class AgentNode {
  /** Rejects when a stream's learning fails for good; resolves after stop(). */
  readonly done: Promise<void>;
  private stopped = false;

  private constructor(
    private readonly link: NatsLink,
    readonly record: RunRecord,
    readonly learners: readonly StreamLearner[],
  ) {
    this.done = Promise.all(learners.map((l) => l.done)).then(() => undefined);
    this.done.catch(() => undefined);
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
    const { runs, checkpoints } = await openBuckets(link.connection);
    const record = await waitForRun(runs, run, options.waitForRunMs ?? 30_000, log);
    const js = jetstream(link.connection);
    const jsm = await jetstreamManager(link.connection);
    const store = new CheckpointStore(checkpoints, link.connection);
    const learners: StreamLearner[] = [];
    try {
      for (const k of streamsOf(options.streams, record)) {
        const agent = createAgent(options.config, record.observationSpace, record.actionSpace);
        const learner = new StreamLearner(link, js, jsm, store, run, k, agent, settings, log, record.environment);
        learners.push(learner);
        await learner.start();
      }
    } catch (error) {
      for (const learner of learners) {
        await learner.stop();
        learner.agent.dispose();
      }
      throw error;
    }
    return new AgentNode(link, record, learners);
  }

  stats(): AgentNodeStats {
    const streams = this.learners.map((l) => l.stats());
    const sum = (pick: (s: StreamLearnerStats) => number) => streams.reduce((a, s) => a + pick(s), 0);
    return {
      learned: sum((s) => s.learned),
      deadLettered: sum((s) => s.deadLettered),
      unknownRun: sum((s) => s.unknownRun),
      duplicates: sum((s) => s.duplicates),
      gaps: sum((s) => s.gaps),
      disconnects: this.link.disconnects,
      reconnects: this.link.reconnects,
      streams,
    };
  }

  /** Stops every stream (each saves and acknowledges what it learned) and disposes the agents. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const learner of this.learners) {
      await learner.stop();
      learner.agent.dispose();
    }
  }
}
