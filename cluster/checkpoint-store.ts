// A learner's checkpoints in the `tprop_checkpoints` key-value bucket: under the agent's name, one
// revision per save (the bucket keeps the last CHECKPOINT_HISTORY), each the agent's full state with
// the stream position it was learned to. The bytes are a tprop checkpoint (version, SHA-256). One
// too large for a key-value entry goes to the `tprop_checkpoint_objects` object store, under the
// agent's name, and the entry holds a pointer to it (itself a small checkpoint).

import type { KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type AgentState } from '../src/index.js';
import { NatsError } from './nats-error.js';
import { BUCKETS } from './subjects.js';

export const LEARNER_CHECKPOINT_KIND = 'tprop-nats-learner';
/** The kind of a key-value entry that points to a checkpoint in the object store. */
export const CHECKPOINT_POINTER_KIND = 'tprop-nats-pointer';

interface Pointer {
  readonly object: string;
  readonly bytes: number;
  readonly lastSeq: number;
}

/** What a learner saves: its agent and where in its observation stream the agent has got to. */
export interface LearnerCheckpoint {
  readonly run: string;
  readonly stream: number;
  readonly agent: AgentState;
  /** The JetStream sequence of the last message handled (learned, skipped or dead-lettered). */
  readonly lastSeq: number;
  /** The step of the last transition learned, or -1. */
  readonly lastStep: number;
  /** Transitions learned, and the sums of their steps and stream sequences (to count each once). */
  readonly learned: number;
  readonly stepSum: number;
  readonly seqSum: number;
  /** Messages redelivered or published twice and skipped, dead-lettered, of another run; missing steps. */
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly unknownRun: number;
  readonly gaps: number;
  readonly metrics: Record<string, number>;
  /** Wall-clock ms of the save. */
  readonly savedAt: number;
}

/** The largest checkpoint a key-value entry holds here (the server's max_payload is 1 MiB by default). */
export const MAX_CHECKPOINT_BYTES = 1024 * 1024 - 4096;

/**
 * Saves are compare-and-set on the key's revision (the one this store loaded or last wrote): should
 * two processes learn the same stream (two with the same --share), the second to save is refused
 * with ERR_NATS_FENCED and stops, instead of both writing over each other's checkpoints.
 */
export class CheckpointStore {
  private objects: Promise<ObjectStore> | null = null;
  /** The revision of each key as this store last saw it (0: it saw none). */
  private readonly revisions = new Map<string, number>();

  /** `connection` opens the object store the first time a checkpoint is too large for the bucket. */
  constructor(
    private readonly bucket: KV,
    private readonly connection?: NatsConnection,
    private readonly maxEntryBytes = MAX_CHECKPOINT_BYTES,
  ) {}

  /** Saves a revision under `agent`; resolves once the server has stored it. */
  async save(agent: string, checkpoint: LearnerCheckpoint): Promise<void> {
    const bytes = encodeCheckpoint(checkpoint, { kind: LEARNER_CHECKPOINT_KIND });
    if (bytes.length <= this.maxEntryBytes) {
      await this.put(agent, bytes);
      return;
    }
    if (this.connection === undefined) {
      throw new NatsError(
        'ERR_NATS',
        `CheckpointStore.save: expected a checkpoint of at most ${this.maxEntryBytes} bytes for a key-value ` +
          `entry, but agent "${agent}" needs ${bytes.length} and no object store was given`,
      );
    }
    // The object first, then the pointer: a crash between the two leaves the previous pointer to a
    // newer object, which holds its own position (its messages were not acknowledged): still right.
    const store = await this.objectStore();
    await store.putBlob({ name: agent }, bytes);
    const pointer: Pointer = { object: agent, bytes: bytes.length, lastSeq: checkpoint.lastSeq };
    await this.put(agent, encodeCheckpoint(pointer, { kind: CHECKPOINT_POINTER_KIND }));
  }

  /** Writes `bytes` under `agent` if the key is still at the revision this store knows. */
  private async put(agent: string, bytes: Uint8Array): Promise<void> {
    const known = this.revisions.get(agent) ?? 0;
    try {
      const revision =
        known === 0 ? await this.bucket.create(agent, bytes) : await this.bucket.update(agent, bytes, known);
      this.revisions.set(agent, revision);
      return;
    } catch (error) {
      if (!/wrong last sequence/i.test((error as Error).message)) throw error;
    }
    // Refused: unless the key holds these very bytes (a retry of a write whose reply was lost), another
    // process has saved this agent since.
    const entry = await this.bucket.get(agent);
    if (entry !== null && Buffer.from(entry.value).equals(Buffer.from(bytes))) {
      this.revisions.set(agent, entry.revision);
      return;
    }
    throw new NatsError(
      'ERR_NATS_FENCED',
      `CheckpointStore.save: expected "${agent}" at revision ${known}, but another process saved it since ` +
        `(revision ${entry?.revision ?? 'none'}): a stream is learned by one process at a time (check --share)`,
    );
  }

  private objectStore(): Promise<ObjectStore> {
    this.objects ??= new Objm(this.connection!).create(BUCKETS.checkpointObjects);
    return this.objects;
  }

  /** The latest checkpoint of `agent`, or null; a corrupt one is a CheckpointError. */
  async load(agent: string): Promise<LearnerCheckpoint | null> {
    const entry = await this.bucket.get(agent);
    this.revisions.set(agent, entry?.revision ?? 0);
    if (entry === null || entry.operation !== 'PUT') return null;
    let bytes = entry.value;
    let pointer: Pointer | null = null;
    try {
      pointer = decodeCheckpoint(bytes, { kind: CHECKPOINT_POINTER_KIND }) as Pointer;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_CHECKPOINT_MISMATCH') throw error;
    }
    if (pointer !== null) {
      if (this.connection === undefined)
        throw new NatsError('ERR_NATS', `CheckpointStore.load: "${agent}" is in the object store, which was not given`);
      const blob = await (await this.objectStore()).getBlob(pointer.object);
      if (blob === null)
        throw new CheckpointError(
          'ERR_CHECKPOINT_CORRUPT',
          `CheckpointStore.load: the object of "${agent}" is missing`,
        );
      bytes = blob;
    }
    const record = decodeCheckpoint(bytes, { kind: LEARNER_CHECKPOINT_KIND }) as Partial<LearnerCheckpoint>;
    if (pointer !== null && (record?.lastSeq ?? -1) < pointer.lastSeq) {
      throw new CheckpointError(
        'ERR_CHECKPOINT_CORRUPT',
        `CheckpointStore.load: expected the object of "${agent}" at sequence ${pointer.lastSeq}, but it is at ` +
          `${record?.lastSeq}`,
      );
    }
    if (typeof record?.lastSeq !== 'number' || typeof record.agent !== 'object' || record.agent === null) {
      throw new CheckpointError(
        'ERR_CHECKPOINT_CORRUPT',
        `CheckpointStore.load: expected a learner checkpoint under "${agent}", but its fields are missing`,
      );
    }
    return record as LearnerCheckpoint;
  }

  /** Forgets every checkpoint of `agent` (a run started over). */
  async remove(agent: string): Promise<void> {
    await this.bucket.purge(agent);
  }
}
