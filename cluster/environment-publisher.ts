// An environment as a publisher on NATS: one environment per observation stream, each stepped in
// its own loop and every transition published to JetStream on `tprop.obs.<run>.<stream>` with the
// message id `<run>/<stream>/<step>`, one at a time (the next only after the server stored the
// last: order is kept through reconnections, and a retry is dropped as a duplicate). An acting
// environment asks the stream's agent for each action (request and reply on `tprop.act.<agent>`).

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import { InvalidOptionError, environmentTransitions, type Environment, type SpaceValue } from '../src/index.js';
import { decodePayload } from '../server/protocol.js';
import type { NatsLink } from './nats-connection.js';
import { decodeObservation, encodeObservation } from './observation-codec.js';
import { ensureRunStreams, openBuckets, registerRun } from './run-registry.js';
import { NATS_PROTOCOL_VERSION, SUBJECTS, agentName, checkName, obsStream } from './subjects.js';
import { typedValue } from './plain-value.js';

export interface PublishEnvironmentOptions {
  readonly link: NatsLink;
  readonly run: string;
  /** Makes the environment of stream `stream` (called once per stream, in order). */
  readonly environment: (stream: number) => Environment | Promise<Environment>;
  /** Observation streams, each its own environment (integer >= 1). Default 1. */
  readonly streams?: number;
  /** Stream k's first reset is seeded with seed + k. Default 0. */
  readonly seed?: number;
  /** Transitions per stream; default no limit (until stop()). */
  readonly steps?: number;
  /** At most this many transitions per second per stream; default as fast as the server stores them. */
  readonly ratePerSecond?: number;
  /** How long to wait for an acting agent's reply before asking again, in ms. Default 2000. */
  readonly actTimeoutMs?: number;
  /** The id and options written in the run's record. */
  readonly describe?: { readonly environment: string; readonly options: Record<string, unknown> };
  readonly log?: (line: string) => void;
}

export interface PublisherStats {
  /** Transitions stored by the server (duplicates not included). */
  readonly published: number;
  /** Publications the server dropped as duplicates of an earlier one (a retry that had arrived). */
  readonly duplicates: number;
  /** Publications or action requests tried again after a failure (a reconnection, a slow agent). */
  readonly retries: number;
  /** Transitions regenerated without publishing, because the stream had them from an earlier process. */
  readonly fastForwarded: number;
}

const packr = new Packr({ useRecords: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EnvironmentPublisher {
  /** Resolves when every stream has published its steps (or stop() was called). */
  readonly done: Promise<void>;
  private stopped = false;
  private readonly counts = { published: 0, duplicates: 0, retries: 0, fastForwarded: 0 };

  private constructor(
    private readonly options: PublishEnvironmentOptions,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly environments: readonly Environment[],
  ) {
    this.done = Promise.all(this.environments.map((env, k) => this.publishStream(env, k))).then(() => undefined);
    this.done.catch(() => undefined);
  }

  /** Registers the run (record, streams) and starts publishing every stream. */
  static async start(options: PublishEnvironmentOptions): Promise<EnvironmentPublisher> {
    const where = 'EnvironmentPublisher.start';
    checkName(where, 'a run name', options.run);
    const streams = options.streams ?? 1;
    if (!Number.isSafeInteger(streams) || streams < 1 || streams > 10_000)
      throw new InvalidOptionError(`${where}: expected "streams" to be an integer in [1, 10000], but got ${streams}`);
    const { connection } = options.link;
    const jsm = await jetstreamManager(connection);
    await ensureRunStreams(jsm, options.run);
    const environments: Environment[] = [];
    for (let k = 0; k < streams; k++) environments.push(await options.environment(k));
    const probe = environments[0]!;
    const { runs } = await openBuckets(connection);
    await registerRun(runs, {
      run: options.run,
      environment: options.describe?.environment ?? probe.spec?.id ?? 'environment',
      options: options.describe?.options ?? {},
      streams,
      observationSpace: probe.observationSpace,
      actionSpace: probe.actionSpace,
    });
    return new EnvironmentPublisher(options, jetstream(connection), jsm, environments);
  }

  stats(): PublisherStats {
    return { ...this.counts };
  }

  /** Stops every stream after its current publication; resolves when they have stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done.catch(() => undefined);
  }

  /** The last step of `stream` already stored (by an earlier process), or -1. */
  private async lastStored(stream: number): Promise<number> {
    try {
      const message = await this.jsm.streams.getMessage(obsStream(this.options.run), {
        last_by_subj: SUBJECTS.observations(this.options.run, stream),
      });
      return message === null ? -1 : decodeObservation(message.data, Infinity).transition.step;
    } catch {
      return -1;
    }
  }

  private async publishStream(env: Environment, k: number): Promise<void> {
    const { run, seed = 0, steps, ratePerSecond } = this.options;
    const subject = SUBJECTS.observations(run, k);
    const acting = env.actionSpace !== null;
    let action: SpaceValue | undefined;
    const policy = acting ? () => action as SpaceValue : undefined;
    // An acting stream cannot be regenerated without its agent's actions: it starts anew.
    const skipTo = acting ? -1 : await this.lastStored(k);
    const gap = ratePerSecond === undefined ? 0 : 1000 / ratePerSecond;
    let next = performance.now();
    try {
      for (const transition of environmentTransitions(env, { seed: seed + k, steps, policy })) {
        if (this.stopped) return;
        if (transition.step <= skipTo) {
          this.counts.fastForwarded++;
          continue;
        }
        if (gap > 0) {
          next += gap;
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
        }
        const body = encodeObservation(run, k, transition);
        const msgID = `${run}/${k}/${transition.step}`;
        for (;;) {
          if (this.stopped) return;
          try {
            const ack = await this.js.publish(subject, body, { msgID, timeout: 2000 });
            if (ack.duplicate) this.counts.duplicates++;
            else this.counts.published++;
            break;
          } catch {
            this.counts.retries++;
            await sleep(100);
          }
        }
        if (acting && !(transition.terminated || transition.truncated))
          action = await this.askAction(agentName(run, k), transition.step);
      }
    } finally {
      env.close?.();
    }
  }

  /** The agent's action after `step`, asked until it answers (it may be starting, or catching up). */
  private async askAction(agent: string, step: number): Promise<SpaceValue | undefined> {
    const request = packr.pack({ v: NATS_PROTOCOL_VERSION, step });
    const timeout = this.options.actTimeoutMs ?? 2000;
    while (!this.stopped) {
      try {
        const reply = await this.options.link.connection.request(SUBJECTS.act(agent), request, { timeout });
        const body = decodePayload(reply.data) as { step?: unknown; action?: unknown };
        if (body.step === step) return typedValue(body.action) as SpaceValue;
      } catch {
        // No responder yet, or a timeout: the agent is starting or catching up.
      }
      this.counts.retries++;
      await sleep(50);
    }
    return undefined;
  }
}
