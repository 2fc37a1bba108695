// A learner's checkpoints in the `tprop_checkpoints` key-value bucket: under the agent's name, one
// revision per save (the bucket keeps the last CHECKPOINT_HISTORY), each the agent's full state with
// the stream position it was learned to. The bytes are a tprop checkpoint (version, SHA-256).

import type { KV } from '@nats-io/kv';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type AgentState } from '../src/index.js';
import { NatsError } from './nats-error.js';

export const LEARNER_CHECKPOINT_KIND = 'tprop-nats-learner';

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

export class CheckpointStore {
  constructor(private readonly bucket: KV) {}

  /** Saves a revision under `agent`; resolves once the server has stored it. */
  async save(agent: string, checkpoint: LearnerCheckpoint): Promise<void> {
    const bytes = encodeCheckpoint(checkpoint, { kind: LEARNER_CHECKPOINT_KIND });
    if (bytes.length > MAX_CHECKPOINT_BYTES) {
      throw new NatsError(
        'ERR_NATS',
        `CheckpointStore.save: expected a checkpoint of at most ${MAX_CHECKPOINT_BYTES} bytes for a key-value ` +
          `entry, but agent "${agent}" needs ${bytes.length} (use smaller layers)`,
      );
    }
    await this.bucket.put(agent, bytes);
  }

  /** The latest checkpoint of `agent`, or null; a corrupt one is a CheckpointError. */
  async load(agent: string): Promise<LearnerCheckpoint | null> {
    const entry = await this.bucket.get(agent);
    if (entry === null || entry.operation !== 'PUT') return null;
    const record = decodeCheckpoint(entry.value, { kind: LEARNER_CHECKPOINT_KIND }) as Partial<LearnerCheckpoint>;
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
