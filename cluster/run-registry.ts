// What a run is, for the processes that join it: an environment publisher registers the run in
// the `tprop_runs` bucket (its environment, streams and spaces) and makes its JetStream streams;
// an agent process reads the record to build agents for the observation space, waiting for it.

import type { JetStreamManager } from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Packr } from 'msgpackr';
import type { Space } from '../src/index.js';
import { decodePayload } from '../server/protocol.js';
import { NatsError } from './nats-error.js';
import {
  BUCKETS,
  CHECKPOINT_HISTORY,
  DEAD_LETTER_STREAM,
  NATS_PROTOCOL_VERSION,
  SUBJECTS,
  obsStream,
} from './subjects.js';

/** The record of a run in the `tprop_runs` bucket, under the run's name. */
export interface RunRecord {
  readonly v: number;
  readonly run: string;
  /** The environment's id (or module name) and options, for people and for `tprop replay`. */
  readonly environment: string;
  readonly options: Record<string, unknown>;
  /** Observation streams 0 … streams − 1. */
  readonly streams: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space | null;
  /** When the run was registered (ms since the epoch). */
  readonly createdAt: number;
}

const packr = new Packr({ useRecords: false });

/** The largest message the observation stream stores (the server's own limit is 1 MiB by default). */
export const MAX_STORED_MESSAGE = 1024 * 1024;

/** Opens a bucket, creating it on first use. */
export async function openBucket(connection: NatsConnection, name: string, history = 1): Promise<KV> {
  const kvm = new Kvm(connection);
  try {
    return await kvm.create(name, { history, storage: StorageType.File });
  } catch {
    return await kvm.open(name);
  }
}

/** The buckets of the bridge, opened (and made) at once. */
export async function openBuckets(connection: NatsConnection): Promise<{ runs: KV; checkpoints: KV }> {
  const runs = await openBucket(connection, BUCKETS.runs, 1);
  const checkpoints = await openBucket(connection, BUCKETS.checkpoints, CHECKPOINT_HISTORY);
  return { runs, checkpoints };
}

async function addStream(jsm: JetStreamManager, config: Parameters<JetStreamManager['streams']['add']>[0]) {
  try {
    await jsm.streams.info(config.name!);
  } catch {
    await jsm.streams.add(config);
  }
}

/**
 * Makes the run's observation stream (every `tprop.obs.<run>.*`, kept: a run is its recording)
 * and the dead-letter stream, unless they exist. Duplicates within `duplicateWindowMs` of their
 * first publication are dropped by message id.
 */
export async function ensureRunStreams(jsm: JetStreamManager, run: string, duplicateWindowMs = 120_000) {
  await addStream(jsm, {
    name: obsStream(run),
    subjects: [SUBJECTS.allObservations(run)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_msg_size: MAX_STORED_MESSAGE,
    duplicate_window: duplicateWindowMs * 1_000_000,
  });
  await addStream(jsm, {
    name: DEAD_LETTER_STREAM,
    subjects: ['tprop.dead.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs: 100_000,
  });
}

/** Writes the run's record (a new record replaces the old: streams may grow). */
export async function registerRun(runs: KV, record: Omit<RunRecord, 'v' | 'createdAt'>): Promise<RunRecord> {
  const full: RunRecord = { v: NATS_PROTOCOL_VERSION, createdAt: Date.now(), ...record };
  await runs.put(record.run, packr.pack(full));
  return full;
}

function readRecord(bytes: Uint8Array, run: string): RunRecord {
  const record = decodePayload(bytes) as Partial<RunRecord> | null;
  if (
    record?.v !== NATS_PROTOCOL_VERSION ||
    typeof record.streams !== 'number' ||
    record.observationSpace === undefined
  )
    throw new NatsError('ERR_NATS', `run registry: expected the record of run "${run}" in version 1, but it is not`);
  return record as RunRecord;
}

/** The run's record, or null when no environment registered it. */
export async function findRun(runs: KV, run: string): Promise<RunRecord | null> {
  const entry = await runs.get(run);
  if (entry === null || entry.operation !== 'PUT') return null;
  return readRecord(entry.value, run);
}

/** Waits for the run to be registered (polling every 200 ms); ERR_NATS_TIMEOUT after `timeoutMs`. */
export async function waitForRun(
  runs: KV,
  run: string,
  timeoutMs: number,
  log: (line: string) => void = () => undefined,
): Promise<RunRecord> {
  const until = performance.now() + timeoutMs;
  let told = false;
  for (;;) {
    const record = await findRun(runs, run);
    if (record !== null) return record;
    if (performance.now() >= until) {
      throw new NatsError(
        'ERR_NATS_TIMEOUT',
        `waitForRun: expected run "${run}" to be registered by an environment (tprop env … --run ${run}), but none ` +
          `was in ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    if (!told) log(`tprop agent: waiting for run "${run}" (start it with tprop env <id> --run ${run})`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
