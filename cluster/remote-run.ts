// An agent learning in another process, as a run a viewer can show: its topology asked for once
// (request and reply on `tprop.topology.<agent>`), its frames from `tprop.frames.<agent>`. A watched
// run is not steered from here: pause, resume and step do nothing (the agent follows its streams).

import { Unpackr } from 'msgpackr';
import { Observable, Subject } from 'rxjs';
import type { Subscription } from '@nats-io/transport-node';
import type { Frame, Topology } from '../src/index.js';
import type { RunController, RunState } from '../server/run-controller.js';
import type { NatsLink } from './nats-connection.js';
import { NatsError } from './nats-error.js';
import { NATS_PROTOCOL_VERSION, SUBJECTS, checkName } from './subjects.js';

// Frames hold typed arrays (ext 0x74); 64-bit integers read as numbers.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export interface RemoteRunOptions {
  /** How long to wait for the agent to answer, in ms (it may be starting). Default 30000. */
  readonly timeoutMs?: number;
}

export class RemoteRun implements RunController {
  readonly frames: Observable<Frame>;
  /** Frame messages that could not be read, and were dropped. */
  dropped = 0;
  received = 0;
  private readonly subject = new Subject<Frame>();
  private latest: Frame | null = null;

  private constructor(
    readonly agent: string,
    readonly topology: Topology,
    private readonly subscription: Subscription,
    inbox: Frame[],
  ) {
    // Hot, and a new subscriber (the viewer) starts from the latest frame: an idle agent shows too.
    this.frames = new Observable<Frame>((subscriber) => {
      if (this.latest !== null) subscriber.next(this.latest);
      return this.subject.subscribe(subscriber);
    });
    this.latest = inbox.at(-1) ?? null;
    this.take = (frame) => {
      this.latest = frame;
      this.subject.next(frame);
    };
  }

  private take: (frame: Frame) => void = () => undefined;

  /**
   * Follows `agent`'s frames, then asks for its topology until it answers (the agent answers with
   * a frame of where it stands, so an idle agent is shown too).
   */
  static async attach(link: NatsLink, agent: string, options: RemoteRunOptions = {}): Promise<RemoteRun> {
    checkName('RemoteRun.attach', 'an agent name', agent);
    const inbox: Frame[] = [];
    let run: RemoteRun | null = null;
    const counts = { received: 0, dropped: 0 };
    const subscription = link.connection.subscribe(SUBJECTS.frames(agent), {
      callback: (_error, message) => {
        let frame: Frame;
        try {
          const body = unpackr.unpack(message.data) as { v?: unknown; frame?: Frame };
          if (body?.v !== NATS_PROTOCOL_VERSION || typeof body.frame?.step !== 'number') throw new Error('not a frame');
          frame = body.frame;
        } catch {
          if (run === null) counts.dropped++;
          else run.dropped++;
          return;
        }
        if (run === null) {
          counts.received++;
          inbox.splice(0, inbox.length, frame);
        } else {
          run.received++;
          run.take(frame);
        }
      },
    });
    const until = performance.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      try {
        const reply = await link.connection.request(SUBJECTS.topology(agent), new Uint8Array(0), { timeout: 1000 });
        const body = unpackr.unpack(reply.data) as { v?: unknown; topology?: Topology };
        if (body?.v === NATS_PROTOCOL_VERSION && Array.isArray(body.topology?.layers)) {
          run = new RemoteRun(agent, body.topology, subscription, inbox);
          run.received = counts.received;
          run.dropped = counts.dropped;
          return run;
        }
      } catch {
        // No agent of that name yet.
      }
      if (performance.now() >= until) {
        subscription.unsubscribe();
        throw new NatsError(
          'ERR_NATS_TIMEOUT',
          `RemoteRun.attach: expected agent "${agent}" to answer on ${SUBJECTS.topology(agent)}, but none did in ` +
            `${Math.round((options.timeoutMs ?? 30_000) / 1000)} s (is \`tprop agent\` learning its run?)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  state(): RunState {
    return { paused: false, step: this.latest?.step ?? 0, stepsPerSecond: this.latest?.stepsPerSecond ?? 0 };
  }

  pause(): void {}
  resume(): void {}
  step(): void {}

  /** Stops following the frames (completes `frames`). */
  close(): void {
    this.subscription.unsubscribe();
    this.subject.complete();
  }
}
