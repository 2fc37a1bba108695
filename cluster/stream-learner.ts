// One observation stream learned by one agent, exactly once: a durable pull consumer from the
// stream position of the agent's last checkpoint, transitions learned in stream order, a checkpoint
// to the key-value bucket every `checkpointEvery` messages (or when the stream goes idle), and the
// messages acknowledged only after the checkpoint that covers them is stored. A redelivered or
// republished message at or before the position is skipped (acknowledged, not learned), so a
// restarted process resumes where its checkpoint was and replays what came after it once.

import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { StepRate, isInvalidData, type Agent, type Outcome } from '../src/index.js';
import { AgentVoice } from './agent-voice.js';
import type { CheckpointStore, LearnerCheckpoint } from './checkpoint-store.js';
import { deadLetter } from './dead-letter.js';
import type { NatsLink } from './nats-connection.js';
import { NatsError } from './nats-error.js';
import { UnreadableMessage, decodeObservation } from './observation-codec.js';
import { SUBJECTS, agentName, learnerConsumer, obsStream } from './subjects.js';

export const STREAM_LEARNER_DEFAULTS: Readonly<StreamLearnerSettings> = Object.freeze({
  /** Messages between two checkpoints (and two rounds of acknowledgements). */
  checkpointEvery: 200,
  /** A checkpoint also comes once the stream has been quiet this long with something unsaved. */
  idleSaveMs: 250,
  /** At least this many ms between two frames on `tprop.frames.<agent>`; 0 publishes none. */
  frameIntervalMs: 100,
  /** Publish each step's scored predictions on `tprop.predictions.<agent>`. */
  predictions: true,
  /** A larger observation message is dead-lettered (ERR_NATS_OVERSIZED). */
  maxObservationBytes: 64 * 1024,
  /** The consumer's ack wait: a message not acknowledged by then is delivered again (and skipped). */
  ackWaitMs: 60_000,
  /** Messages pulled at a time. */
  batch: 256,
});

export interface StreamLearnerSettings {
  checkpointEvery: number;
  idleSaveMs: number;
  frameIntervalMs: number;
  predictions: boolean;
  maxObservationBytes: number;
  ackWaitMs: number;
  batch: number;
}

export interface StreamLearnerStats {
  readonly agent: string;
  readonly stream: number;
  readonly learned: number;
  readonly lastStep: number;
  readonly lastSeq: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly unknownRun: number;
  readonly gaps: number;
  readonly saves: number;
  /** Restored from a checkpoint at start: the step it had reached, or null for a new agent. */
  readonly resumedAt: number | null;
  readonly stepsPerSecond: number;
  /** The agent's running prequential metrics (Agent.metrics). */
  readonly metrics: Readonly<Record<string, number>>;
}

export class StreamLearner {
  readonly name: string;
  /** Rejects if learning fails for good (an agent's fault that is not bad data); resolves after stop(). */
  readonly done: Promise<void>;
  private state: {
    -readonly [K in keyof Omit<LearnerCheckpoint, 'run' | 'stream' | 'agent' | 'metrics' | 'savedAt'>]: number;
  } = {
    lastSeq: 0,
    lastStep: -1,
    learned: 0,
    stepSum: 0,
    seqSum: 0,
    duplicates: 0,
    deadLettered: 0,
    unknownRun: 0,
    gaps: 0,
  };
  private unacked: JsMsg[] = [];
  private sinceSave = 0;
  private saves = 0;
  private resumedAt: number | null = null;
  private lastMessageAt = 0;
  private chain: Promise<void> = Promise.resolve();
  private messages: ConsumerMessages | null = null;
  private idle: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly rate = new StepRate();
  private readonly voice: AgentVoice;
  private resolveDone!: () => void;
  private rejectDone!: (error: unknown) => void;

  constructor(
    private readonly link: NatsLink,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly store: CheckpointStore,
    readonly run: string,
    readonly stream: number,
    readonly agent: Agent,
    private readonly settings: StreamLearnerSettings,
    private readonly log: (line: string) => void = () => undefined,
    readonly environment = '',
  ) {
    this.name = agentName(run, stream);
    this.voice = new AgentVoice(link, this.name, agent, {
      frameIntervalMs: settings.frameIntervalMs,
      predictions: settings.predictions,
      environment,
      stepsPerSecond: () => this.rate.perSecond(this.state.learned),
    });
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  /** Restores the last checkpoint, makes the consumer from its position and starts learning. */
  async start(): Promise<void> {
    const saved = await this.store.load(this.name);
    if (saved !== null) {
      this.agent.setState(saved.agent);
      const { lastSeq, lastStep, learned, stepSum, seqSum, duplicates, deadLettered, unknownRun, gaps } = saved;
      this.state = { lastSeq, lastStep, learned, stepSum, seqSum, duplicates, deadLettered, unknownRun, gaps };
      this.resumedAt = lastStep;
      this.log(`tprop agent: ${this.name} resumes after step ${lastStep} (stream sequence ${lastSeq})`);
    }
    const stream = obsStream(this.run);
    const durable = learnerConsumer(this.stream);
    // The checkpoint, not the consumer, knows what was learned: the consumer is made anew from it,
    // so that what the last process had delivered but not saved comes again at once, in order.
    await this.jsm.consumers.delete(stream, durable).catch(() => undefined);
    await this.jsm.consumers.add(stream, {
      durable_name: durable,
      filter_subject: SUBJECTS.observations(this.run, this.stream),
      // One acknowledgement per checkpoint acknowledges every message up to it.
      ack_policy: AckPolicy.All,
      ...(this.state.lastSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.state.lastSeq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      ack_wait: nanos(this.settings.ackWaitMs),
      max_ack_pending: 2 * this.settings.checkpointEvery + this.settings.batch,
    });
    const consumer = await this.js.consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: this.settings.batch });
    this.voice.serve();
    this.rate.restart(this.state.learned);
    this.idle = setInterval(() => {
      if (this.sinceSave > 0 && performance.now() - this.lastMessageAt >= this.settings.idleSaveMs)
        // A save that fails for good (fenced, too large) ends the learner as a failed message would.
        this.serial(() => this.save()).catch((error: unknown) => this.fail(error));
    }, this.settings.idleSaveMs);
    const messages = this.messages;
    void (async () => {
      for await (const message of messages) await this.serial(() => this.handle(message));
    })().then(
      () => this.resolveDone(),
      (error: unknown) => this.fail(error),
    );
  }

  stats(): StreamLearnerStats {
    return {
      agent: this.name,
      stream: this.stream,
      ...this.state,
      saves: this.saves,
      resumedAt: this.resumedAt,
      stepsPerSecond: this.rate.perSecond(this.state.learned),
      metrics: this.agent.metrics(),
    };
  }

  /** Stops pulling, saves what was learned and acknowledges it. */
  async stop(): Promise<void> {
    await this.halt(true);
  }

  /**
   * Stops pulling and forgets what is unsaved (its messages are not acknowledged): for a stream whose
   * lease was lost, which another process now learns from the last checkpoint.
   */
  async abandon(): Promise<void> {
    await this.halt(false);
  }

  private async halt(save: boolean): Promise<void> {
    if (this.stopping) return this.done.catch(() => undefined);
    this.stopping = true;
    if (this.idle !== null) clearInterval(this.idle);
    this.voice.close();
    await this.messages?.close().catch(() => undefined);
    if (save) await this.serial(() => (this.sinceSave > 0 ? this.save() : undefined)).catch(() => undefined);
    this.resolveDone();
    await this.done.catch(() => undefined);
  }

  /** Runs `work` after everything queued before it (messages, idle saves, stop). */
  private serial(work: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.idle !== null) clearInterval(this.idle);
    this.voice.close();
    void this.messages?.close().catch(() => undefined);
    this.rejectDone(error);
  }

  private async handle(message: JsMsg): Promise<void> {
    if (this.stopping) return;
    this.lastMessageAt = performance.now();
    if (message.seq <= this.state.lastSeq) {
      // Delivered again (an ack wait ran out) or before the consumer's start: learned already.
      this.state.duplicates++;
      this.unacked.push(message);
      return;
    }
    let body: ReturnType<typeof decodeObservation>;
    try {
      body = decodeObservation(message.data, this.settings.maxObservationBytes);
    } catch (error) {
      if (!(error instanceof UnreadableMessage)) throw error;
      await this.deadLetter(message, error.code, error.message);
      return this.handled(message);
    }
    if (body.run !== this.run || body.stream !== this.stream) {
      this.state.unknownRun++;
      return this.handled(message);
    }
    const transition = body.transition;
    if (transition.step <= this.state.lastStep) {
      this.state.duplicates++;
      return this.handled(message);
    }
    if (transition.step > this.state.lastStep + 1) this.state.gaps += transition.step - this.state.lastStep - 1;
    let outcome: Outcome;
    try {
      outcome = this.agent.observe(transition);
    } catch (error) {
      if (!isInvalidData(error)) throw error;
      await this.deadLetter(message, (error as { code: string }).code, (error as Error).message);
      return this.handled(message);
    }
    const s = this.state;
    s.learned++;
    s.stepSum += transition.step;
    s.seqSum += message.seq;
    s.lastStep = transition.step;
    this.rate.record(s.learned);
    // Asked once per step, in order, whether or not anyone waits: a replay acts as the first run did.
    const acts = this.agent.actionSpace !== null && !(transition.terminated || transition.truncated);
    this.voice.learned(outcome, message.seq, body.time, acts ? this.agent.act!() : undefined);
    return this.handled(message);
  }

  private async handled(message: JsMsg): Promise<void> {
    this.state.lastSeq = message.seq;
    this.unacked.push(message);
    if (++this.sinceSave >= this.settings.checkpointEvery) await this.save();
  }

  /** Stores a checkpoint (trying again while the server is away), then acknowledges what it covers. */
  private async save(): Promise<void> {
    const checkpoint: LearnerCheckpoint = {
      run: this.run,
      stream: this.stream,
      agent: this.agent.getState(),
      ...this.state,
      metrics: { ...this.agent.metrics() },
      savedAt: Date.now(),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.save(this.name, checkpoint);
        break;
      } catch (error) {
        // A refusal (too large, fenced by another process) is final; a fault of the connection is retried.
        if (error instanceof NatsError || this.link.connection.isClosed()) throw error;
        if (attempt === 0) this.log(`tprop agent: ${this.name}: checkpoint not stored yet, trying again`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    this.saves++;
    this.sinceSave = 0;
    // Ack-all: the highest sequence covers the rest (a redelivered one may have come after it).
    let highest: JsMsg | undefined;
    for (const message of this.unacked) if (highest === undefined || message.seq > highest.seq) highest = message;
    highest?.ack();
    this.unacked = [];
  }

  private async deadLetter(message: JsMsg, code: string, reason: string): Promise<void> {
    this.state.deadLettered++;
    await deadLetter(this.link, this.js, this, message, code, reason, this.settings.maxObservationBytes);
  }
}
