// What a learning agent says on NATS besides learning: its predictions after each step, its frames
// (at most one per interval), its topology to a viewer that asks, and, for an acting agent, the
// action after each step to the environment that asks (request and reply, PROTOCOL-NATS.md §5–7).

import type { Subscription } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import type { Agent, Outcome, SpaceValue } from '../src/index.js';
import { decodePayload } from '../server/protocol.js';
import type { NatsLink } from './nats-connection.js';
import { plainValue } from './plain-value.js';
import { NATS_PROTOCOL_VERSION, SUBJECTS } from './subjects.js';

const plainPackr = new Packr({ useRecords: false });
// Frames and topologies carry typed arrays as the viewer protocol does (ext 0x74).
const framePackr = new Packr({ moreTypes: true, useRecords: false });

/** Actions kept for requests that come late (the environment asks after the agent has learned). */
const KEPT_ACTIONS = 8;

export interface AgentVoiceOptions {
  readonly frameIntervalMs: number;
  readonly predictions: boolean;
  /** The environment's name the topology gives (viewers show it). */
  readonly environment: string;
  /** Learning steps per second now, for frames. */
  readonly stepsPerSecond: () => number;
}

export class AgentVoice {
  private readonly subscriptions: Subscription[] = [];
  private readonly actions = new Map<number, SpaceValue>();
  private readonly waiting = new Map<number, (action: SpaceValue) => void>();
  private lastFrameAt = -Infinity;
  private lastStep = -1;
  private closed = false;

  constructor(
    private readonly link: NatsLink,
    readonly name: string,
    private readonly agent: Agent,
    private readonly options: AgentVoiceOptions,
  ) {}

  /** Answers topology requests and, for an acting agent, action requests. */
  serve(): void {
    const { connection } = this.link;
    const topology = framePackr.pack({
      v: NATS_PROTOCOL_VERSION,
      agent: this.name,
      topology: { ...this.agent.topology, environment: this.options.environment || this.agent.topology.environment },
    });
    this.subscriptions.push(
      connection.subscribe(SUBJECTS.topology(this.name), {
        callback: (_error, request) => {
          request.respond(topology);
          // A viewer that attaches sees where the agent stands, even while its streams are quiet.
          if (this.options.frameIntervalMs > 0) this.frame();
        },
      }),
    );
    if (this.agent.actionSpace === null) return;
    this.subscriptions.push(
      connection.subscribe(SUBJECTS.act(this.name), { callback: (_error, request) => this.askedToAct(request) }),
    );
  }

  /** After each learned step: its predictions, a frame when one is due, the action when the agent acts. */
  learned(outcome: Outcome, seq: number, publishedAt: number, action: SpaceValue | undefined): void {
    this.lastStep = outcome.step;
    if (action !== undefined) {
      this.actions.set(outcome.step, action);
      this.actions.delete(outcome.step - KEPT_ACTIONS);
      this.waiting.get(outcome.step)?.(action);
      this.waiting.delete(outcome.step);
    }
    if (this.options.predictions) {
      this.link.connection.publish(
        SUBJECTS.predictions(this.name),
        plainPackr.pack({
          v: NATS_PROTOCOL_VERSION,
          agent: this.name,
          step: outcome.step,
          seq,
          time: publishedAt,
          learnedAt: performance.timeOrigin + performance.now(),
          scores: outcome.scores,
          scored: plainValue(outcome.scored),
          ...(outcome.anomaly && { anomaly: outcome.anomaly }),
        }),
      );
    }
    const interval = this.options.frameIntervalMs;
    if (interval > 0 && performance.now() - this.lastFrameAt >= interval) this.frame();
  }

  close(): void {
    this.closed = true;
    for (const s of this.subscriptions) s.unsubscribe();
  }

  private frame(): void {
    if (this.closed) return;
    this.lastFrameAt = performance.now();
    const frame = { ...this.agent.snapshot(), stepsPerSecond: this.options.stepsPerSecond() };
    this.link.connection.publish(SUBJECTS.frames(this.name), framePackr.pack({ v: NATS_PROTOCOL_VERSION, frame }));
  }

  private askedToAct(request: { data: Uint8Array; respond(data: Uint8Array): boolean }): void {
    let step: unknown;
    try {
      step = (decodePayload(request.data) as { step?: unknown } | null)?.step;
    } catch {
      return;
    }
    if (typeof step !== 'number') return;
    const reply = (action: SpaceValue) =>
      void request.respond(plainPackr.pack({ v: NATS_PROTOCOL_VERSION, step, action: plainValue(action) }));
    const known = this.actions.get(step);
    if (known !== undefined) reply(known);
    // Answered once the step is learned; an earlier ask for it has timed out on the other side.
    else if (step > this.lastStep) this.waiting.set(step, reply);
  }
}
