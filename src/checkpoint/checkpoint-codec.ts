// The checkpoint format in memory: a fixed header (magic, version, payload length, SHA-256) and
// a msgpack payload `{ kind, payload }`. Everything is validated before a byte is decoded.

import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { CheckpointError, InvalidOptionError, describeValue } from '../errors.js';
import { checkKeys } from '../options.js';

/**
 * Layout (integers little-endian):
 *   bytes  0..7   magic "TPROPCK\0"
 *   bytes  8..11  format version, uint32 (CHECKPOINT_VERSION)
 *   bytes 12..19  payload length in bytes, uint64
 *   bytes 20..51  SHA-256 of the payload bytes
 *   bytes 52..    payload: msgpack of `{ kind: string, payload: unknown }`, exactly `length` bytes
 */
export const CHECKPOINT_MAGIC: Uint8Array = Uint8Array.from([0x54, 0x50, 0x52, 0x4f, 0x50, 0x43, 0x4b, 0x00]);
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_HEADER_SIZE = 52;

const VERSION_OFFSET = 8;
const LENGTH_OFFSET = 12;
const CHECKSUM_OFFSET = 20;

export interface CheckpointOptions {
  /** What the payload is (e.g. 'agent', 'recording'); reading refuses a checkpoint of another kind. Required. */
  readonly kind: string;
}

// moreTypes keeps typed arrays (Float32Array, Float64Array, ...) typed and bit-exact;
// useRecords: false keeps the bytes self-describing, readable without this process's structures.
const packr = new Packr({ moreTypes: true, useRecords: false });

/** Validates `{ kind }` and returns the kind. */
export function checkpointKind(where: string, options: unknown): string {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${where}: expected an options object with "kind", but got ${describeValue(options)}`);
  }
  checkKeys(where, options, ['kind']);
  const kind = (options as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || kind.length === 0) {
    throw new InvalidOptionError(
      `${where}: expected option "kind" to be a non-empty string, but got ${describeValue(kind)}`,
    );
  }
  return kind;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * The bytes of a checkpoint holding `payload`: plain data (objects, arrays, strings, numbers,
 * booleans, null, undefined) and typed arrays, kept bit for bit. msgpack's own limits apply: a
 * Map reads back as a plain object, and a scalar -0 (not inside a typed array) as 0.
 */
export function encodeCheckpoint(payload: unknown, options: CheckpointOptions): Uint8Array {
  const kind = checkpointKind('encodeCheckpoint', options);
  const body = packr.pack({ kind, payload });
  const bytes = new Uint8Array(CHECKPOINT_HEADER_SIZE + body.length);
  const view = new DataView(bytes.buffer);
  bytes.set(CHECKPOINT_MAGIC, 0);
  view.setUint32(VERSION_OFFSET, CHECKPOINT_VERSION, true);
  view.setBigUint64(LENGTH_OFFSET, BigInt(body.length), true);
  bytes.set(sha256(body), CHECKSUM_OFFSET);
  bytes.set(body, CHECKPOINT_HEADER_SIZE);
  return bytes;
}

/** The payload of the checkpoint `bytes`; throws CheckpointError (see `decodeCheckpointFrom`). */
export function decodeCheckpoint(bytes: Uint8Array, options: CheckpointOptions): unknown {
  return decodeCheckpointFrom(bytes, checkpointKind('decodeCheckpoint', options), 'decodeCheckpoint', 'the checkpoint');
}

const corrupt = (message: string): CheckpointError => new CheckpointError('ERR_CHECKPOINT_CORRUPT', message);

/**
 * Checks, in order: magic (ERR_CHECKPOINT_CORRUPT), version (ERR_CHECKPOINT_VERSION, read as soon
 * as its 4 bytes are there, since another version may lay out the rest differently), header and
 * payload length (truncated or trailing bytes: CORRUPT), checksum (CORRUPT), msgpack (CORRUPT),
 * then `kind` (ERR_CHECKPOINT_MISMATCH). `source` names the bytes in messages (e.g. the path).
 */
export function decodeCheckpointFrom(bytes: Uint8Array, kind: string, where: string, source: string): unknown {
  return decodeRecordFrom(bytes, [kind], where, source).payload;
}

/** As `decodeCheckpointFrom`, for a checkpoint of any of `kinds`: returns the kind found with the payload. */
export function decodeRecordFrom(
  bytes: Uint8Array,
  kinds: readonly string[],
  where: string,
  source: string,
): { kind: string; payload: unknown } {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidOptionError(`${where}: expected the checkpoint as a Uint8Array, but got ${describeValue(bytes)}`);
  }
  const magicLength = Math.min(bytes.length, CHECKPOINT_MAGIC.length);
  for (let i = 0; i < magicLength; i++) {
    if (bytes[i] !== CHECKPOINT_MAGIC[i]) {
      throw corrupt(
        `${where}: expected the magic "TPROPCK\\0" (${hex(CHECKPOINT_MAGIC)}) at the start of ${source}, but got ` +
          `${hex(bytes.subarray(0, 8))}`,
      );
    }
  }
  const truncatedHeader = (): CheckpointError =>
    corrupt(
      `${where}: expected a header of ${CHECKPOINT_HEADER_SIZE} bytes, but ${source} is truncated at ` +
        `${bytes.length} bytes`,
    );
  if (bytes.length < LENGTH_OFFSET) throw truncatedHeader();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(VERSION_OFFSET, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      'ERR_CHECKPOINT_VERSION',
      `${where}: expected format version ${CHECKPOINT_VERSION}, but ${source} has version ${version}`,
    );
  }
  if (bytes.length < CHECKPOINT_HEADER_SIZE) throw truncatedHeader();

  const declared = view.getBigUint64(LENGTH_OFFSET, true);
  const available = BigInt(bytes.length - CHECKPOINT_HEADER_SIZE);
  if (declared > available) {
    throw corrupt(
      `${where}: expected a payload of ${declared} bytes, but ${source} is truncated with ${available} payload bytes`,
    );
  }
  if (declared < available) {
    throw corrupt(
      `${where}: expected ${declared} payload bytes, but ${source} has ${available - declared} trailing bytes`,
    );
  }
  const body = bytes.subarray(CHECKPOINT_HEADER_SIZE);
  const expected = bytes.subarray(CHECKSUM_OFFSET, CHECKPOINT_HEADER_SIZE);
  const actual = sha256(body);
  if (!Buffer.from(expected).equals(actual)) {
    throw corrupt(
      `${where}: expected the payload's SHA-256 to be ${hex(expected)}, but got ${hex(actual)} (the payload of ` +
        `${source} is corrupted)`,
    );
  }

  let record: unknown;
  try {
    record = packr.unpack(body);
  } catch (error) {
    const failure = corrupt(
      `${where}: expected a msgpack payload, but decoding ${source} failed: ${(error as Error).message}`,
    );
    failure.cause = error;
    throw failure;
  }
  const { kind: found, payload } = (record ?? {}) as { kind?: unknown; payload?: unknown };
  if (
    typeof record !== 'object' ||
    record === null ||
    Array.isArray(record) ||
    !('payload' in record) ||
    typeof found !== 'string'
  ) {
    throw corrupt(
      `${where}: expected a payload record { kind, payload } in ${source}, but got ${describeValue(record)}`,
    );
  }
  if (!kinds.includes(found)) {
    const wanted = kinds.map((k) => JSON.stringify(k)).join(' or ');
    throw new CheckpointError(
      'ERR_CHECKPOINT_MISMATCH',
      `${where}: expected a checkpoint of kind ${wanted}, but ${source} holds kind ${JSON.stringify(found)}`,
    );
  }
  return { kind: found, payload };
}
