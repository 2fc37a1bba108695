// The names the bridge speaks on NATS: subjects, JetStream streams, consumers and key-value
// buckets, all built here so that PROTOCOL-NATS.md and the code cannot drift apart.

import { InvalidOptionError, describeValue } from '../src/errors.js';

/** The version of the NATS protocol (PROTOCOL-NATS.md); sent as `v` in every message body. */
export const NATS_PROTOCOL_VERSION = 1;

/** The server a command connects to when --nats is not given. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** A run or agent name is one subject token: letters, digits, `_` and `-`, at most 64. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws unless `name` can be a subject token (no `.`, `*`, `>` or spaces). */
export function checkName(where: string, what: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidOptionError(
      `${where}: expected ${what} of 1 to 64 letters, digits, "_" or "-", but got ${describeValue(name)}`,
    );
  }
  return name;
}

export const SUBJECTS = Object.freeze({
  /** Transitions of observation stream `stream` of run `run` (JetStream, stream `obsStream(run)`). */
  observations: (run: string, stream: number): string => `tprop.obs.${run}.${stream}`,
  /** Every observation subject of a run: what its JetStream stream captures. */
  allObservations: (run: string): string => `tprop.obs.${run}.*`,
  /** Where a learner puts what it could not read (JetStream, stream DEAD_LETTER_STREAM). */
  deadLetter: (run: string, stream: number): string => `tprop.dead.${run}.${stream}`,
  /** The agent's viewer frames (core NATS, at most one per frame interval). */
  frames: (agent: string): string => `tprop.frames.${agent}`,
  /** The agent's scored predictions, one message per learned step (core NATS). */
  predictions: (agent: string): string => `tprop.predictions.${agent}`,
  /** Request and reply: the action an acting agent takes after a step. */
  act: (agent: string): string => `tprop.act.${agent}`,
  /** Request and reply: the agent's topology (for a viewer that attaches). */
  topology: (agent: string): string => `tprop.topology.${agent}`,
});

/** The JetStream stream that holds (and records) every observation of `run`. */
export const obsStream = (run: string): string => `TPROP_OBS_${run}`;
/** The JetStream stream of dead letters of every run. */
export const DEAD_LETTER_STREAM = 'TPROP_DEAD';
/** The durable pull consumer of one observation stream: one per stream, whoever learns it. */
export const learnerConsumer = (stream: number): string => `tprop-learner-${stream}`;
/** The agent that learns observation stream `stream` of `run`: its name on frames, predictions, act. */
export const agentName = (run: string, stream: number): string => `${run}-${stream}`;

/** Key-value buckets: the runs (what an environment publishes) and the learners' checkpoints. */
export const BUCKETS = Object.freeze({
  runs: 'tprop_runs',
  checkpoints: 'tprop_checkpoints',
  /** The object store of checkpoints too large for a key-value entry. */
  checkpointObjects: 'tprop_checkpoint_objects',
  /** Who learns which stream under `--share auto` (entries expire unless renewed). */
  leases: 'tprop_leases',
});

/** Revisions of each checkpoint key kept in the bucket (the last few steps an agent saved). */
export const CHECKPOINT_HISTORY = 4;

/** Headers of a dead letter: why, and where the message came from. */
export const DEAD_LETTER_HEADERS = Object.freeze({
  code: 'Tprop-Code',
  reason: 'Tprop-Reason',
  subject: 'Tprop-Subject',
  sequence: 'Tprop-Stream-Seq',
});
