// Replaying a recorded run: a run is its JetStream stream, so a replay reads the stream of one run
// in order (an ordered consumer) and publishes every transition anew into another run, at the
// original pace (by the recorded publication times) or as fast as the server stores them (the
// agents then learn as fast as they can: JetStream holds what they have not pulled yet).

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsLink } from './nats-connection.js';
import { NatsError } from './nats-error.js';
import { decodeObservation, encodeObservation } from './observation-codec.js';
import { ensureRunStreams, findRun, openBuckets, registerRun } from './run-registry.js';
import { SUBJECTS, checkName, obsStream } from './subjects.js';

export interface ReplayOptions {
  readonly link: NatsLink;
  /** The recorded run. */
  readonly from: string;
  /** The run it is replayed into (its agents learn it as any run). */
  readonly run: string;
  /** 'original': the recorded gaps between publications; 'fast': no waiting. Default 'fast'. */
  readonly rate?: 'original' | 'fast';
  /** Called after each transition published (progress). */
  readonly onProgress?: (published: number) => void;
  readonly shouldStop?: () => boolean;
}

export interface ReplayResult {
  readonly published: number;
  /** Messages of the recording not replayed: unreadable (dead-lettered in the run) or of another run. */
  readonly unreadable: number;
  readonly seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function replayRun(options: ReplayOptions): Promise<ReplayResult> {
  const where = 'replayRun';
  const from = checkName(where, 'the recorded run', options.from);
  const run = checkName(where, 'the run to replay into', options.run);
  if (from === run)
    throw new NatsError('ERR_NATS', `${where}: expected a new run name to replay into, but got "${run}"`);
  const { connection } = options.link;
  const { runs } = await openBuckets(connection);
  const record = await findRun(runs, from);
  if (record === null)
    throw new NatsError(
      'ERR_NATS',
      `${where}: expected run "${from}" in the ${'tprop_runs'} bucket, but there is none`,
    );
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info(obsStream(from));
  const last = info.state.last_seq;
  await ensureRunStreams(jsm, run);
  await registerRun(runs, { ...record, run });
  const js = jetstream(connection);
  const started = performance.now();
  let published = 0;
  let unreadable = 0;
  if (last === 0) return { published, unreadable, seconds: 0 };
  const consumer = await js.consumers.get(obsStream(from));
  const messages = await consumer.consume({ max_messages: 256 });
  let firstTime: number | null = null;
  for await (const message of messages) {
    if (options.shouldStop?.()) break;
    let body: ReturnType<typeof decodeObservation> | null = null;
    try {
      body = decodeObservation(message.data, Infinity);
      // Another run's message on this run's subject was ignored by the agents: it is not replayed.
      if (body.run !== from) body = null;
    } catch {
      body = null;
    }
    if (body === null) unreadable++;
    if (body !== null) {
      const { stream, time, transition } = body;
      firstTime ??= time;
      if (options.rate === 'original') {
        const wait = time - firstTime - (performance.now() - started);
        if (wait > 0) await sleep(wait);
      }
      const bytes = encodeObservation(run, stream, transition);
      const msgID = `${run}/${stream}/${transition.step}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await js.publish(SUBJECTS.observations(run, stream), bytes, { msgID });
          break;
        } catch (error) {
          if (attempt >= 50 || connection.isClosed()) throw error;
          await sleep(200);
        }
      }
      published++;
      options.onProgress?.(published);
    }
    if (message.seq >= last) break;
  }
  await messages.close();
  return { published, unreadable, seconds: (performance.now() - started) / 1000 };
}
