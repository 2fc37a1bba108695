// The body of an observation message (PROTOCOL-NATS.md §3): one transition as one value of plain
// msgpack, typed arrays as raw little-endian float32 `bin`s. Plain msgpack is checked before it is
// decoded (server/plain-msgpack.ts), so no extension (a BigInt, a Date) ever reaches a learner.

import { Packr } from 'msgpackr';
import type { SpaceValue, Transition } from '../src/index.js';
import { decodePayload } from '../server/protocol.js';
import { PlainValueError, plainValue as plain, typedValue } from './plain-value.js';
import { NATS_PROTOCOL_VERSION } from './subjects.js';

/** A transition as it travels: the run and stream it belongs to, and when it was published. */
export interface ObservationMessage {
  readonly v: number;
  readonly run: string;
  readonly stream: number;
  /** Wall-clock milliseconds (Date.now, with a fraction) when the environment published it. */
  readonly time: number;
  readonly transition: Transition;
}

/** Why a message could not be read: the code and reason of its dead letter. */
export class UnreadableMessage extends Error {
  constructor(
    readonly code: 'ERR_NATS_OVERSIZED' | 'ERR_NATS_MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

// No moreTypes: typed arrays are written as bins by `plain` below, so the bytes stay plain msgpack.
const packr = new Packr({ useRecords: false });

const malformed = (what: string): UnreadableMessage =>
  new UnreadableMessage('ERR_NATS_MALFORMED', `observation: expected ${what}`);

/** The bytes of one observation message. */
export function encodeObservation(
  run: string,
  stream: number,
  transition: Transition,
  time = performance.timeOrigin + performance.now(),
): Uint8Array {
  const t = transition;
  return packr.pack({
    v: NATS_PROTOCOL_VERSION,
    run,
    stream,
    time,
    step: t.step,
    episode: t.episode,
    observation: plain(t.observation),
    reward: t.reward,
    terminated: t.terminated,
    truncated: t.truncated,
    first: t.first,
    info: plain(t.info ?? {}),
  });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads one observation message; throws UnreadableMessage (oversized beyond `maxBytes`, or
 * malformed: not plain msgpack, another version, a field missing or of the wrong type). Whether
 * the observation fits the agent's space is the agent's check (a ShapeMismatchError).
 */
export function decodeObservation(bytes: Uint8Array, maxBytes: number): ObservationMessage {
  if (bytes.length > maxBytes) {
    throw new UnreadableMessage(
      'ERR_NATS_OVERSIZED',
      `observation: expected at most ${maxBytes} bytes, but got ${bytes.length}`,
    );
  }
  let body: unknown;
  try {
    body = decodePayload(bytes);
  } catch (error) {
    throw malformed(`one value of plain msgpack (${(error as Error).message.replace(/^message: /, '')})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed('a map');
  const o = body as Record<string, unknown>;
  if (o.v !== NATS_PROTOCOL_VERSION) throw malformed(`protocol version ${NATS_PROTOCOL_VERSION}, but got ${o.v}`);
  if (typeof o.run !== 'string' || !isCount(o.stream) || typeof o.time !== 'number')
    throw malformed('"run" (a string), "stream" (an integer >= 0) and "time" (a number)');
  if (!isCount(o.step) || !isCount(o.episode)) throw malformed('"step" and "episode" to be integers >= 0');
  if (typeof o.reward !== 'number' || !Number.isFinite(o.reward)) throw malformed('"reward" to be a finite number');
  for (const flag of ['terminated', 'truncated', 'first'] as const)
    if (typeof o[flag] !== 'boolean') throw malformed(`"${flag}" to be a boolean`);
  let observation: unknown;
  let info: unknown;
  try {
    observation = typedValue(o.observation);
    info = o.info === undefined ? {} : typedValue(o.info);
  } catch (error) {
    if (error instanceof PlainValueError) throw malformed(error.message);
    throw error;
  }
  if (
    observation === undefined ||
    observation === null ||
    typeof observation === 'string' ||
    Array.isArray(observation)
  )
    throw malformed('"observation" to be a number, a float32 bin or a map of them');
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw malformed('"info" to be a map');
  return {
    v: o.v,
    run: o.run,
    stream: o.stream,
    time: o.time,
    transition: {
      step: o.step,
      episode: o.episode,
      observation: observation as SpaceValue,
      reward: o.reward,
      terminated: o.terminated as boolean,
      truncated: o.truncated as boolean,
      first: o.first as boolean,
      info: info as Record<string, unknown>,
    },
  };
}
