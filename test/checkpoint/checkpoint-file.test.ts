// Specification of checkpoint files: a fixed header (magic, version, length, SHA-256) before a
// msgpack payload; round trips are bit-exact, and every kind of damage is refused by its code.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_HEADER_SIZE,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from '../../src/checkpoint/checkpoint-file.js';
import { CheckpointError, InvalidOptionError } from '../../src/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'tprop-checkpoint-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const bitsOf = (array: Float32Array): number[] => [...new Uint32Array(array.buffer, array.byteOffset, array.length)];

/** Float32 values whose bits a lossy codec would change: NaN payloads, -0, subnormals, extremes. */
function awkwardFloats(): Float32Array {
  const bits = Uint32Array.of(
    0x7fc00001,
    0xffc12345,
    0x80000000,
    0x00000001,
    0x007fffff,
    0x7f7fffff,
    0xff800000,
    0x3eaaaaab,
  );
  return new Float32Array(bits.buffer);
}

const payload = {
  agent: 'predictive',
  step: 12345,
  layers: [
    { name: 'l0', weights: awkwardFloats(), bias: new Float32Array(3).fill(0.1) },
    {
      name: 'l1',
      weights: new Float32Array([1.5, -2.25]),
      slots: { m: Float64Array.of(Math.PI), v: [0.5, null, true] },
    },
  ],
  rng: { s: [1, 2, 3, 4294967295], spare: null },
  note: 'ünïcode ✓',
};

const encoded = encodeCheckpoint(payload, { kind: 'agent' });
const header = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 0xff;
  return out;
};
const withVersion = (version: number): Uint8Array => {
  const out = Uint8Array.from(encoded);
  header(out).setUint32(8, version, true);
  return out;
};
/** A well-formed header around `body`, with a correct checksum. */
const framed = (body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(CHECKPOINT_HEADER_SIZE + body.length);
  out.set(encoded.subarray(0, 12));
  header(out).setBigUint64(12, BigInt(body.length), true);
  out.set(createHash('sha256').update(body).digest(), 20);
  out.set(body, CHECKPOINT_HEADER_SIZE);
  return out;
};

const corruptions: Array<[string, () => Uint8Array, CheckpointError['code'], RegExp]> = [
  [
    'an empty file',
    () => encoded.subarray(0, 0),
    'ERR_CHECKPOINT_CORRUPT',
    /expected a header of 52 bytes, but the checkpoint is truncated at 0 bytes$/,
  ],
  ['truncated inside the magic', () => encoded.subarray(0, 5), 'ERR_CHECKPOINT_CORRUPT', /truncated at 5 bytes$/],
  ['truncated inside the version', () => encoded.subarray(0, 10), 'ERR_CHECKPOINT_CORRUPT', /truncated at 10 bytes$/],
  ['truncated inside the checksum', () => encoded.subarray(0, 30), 'ERR_CHECKPOINT_CORRUPT', /truncated at 30 bytes$/],
  [
    'truncated after the header',
    () => encoded.subarray(0, 52),
    'ERR_CHECKPOINT_CORRUPT',
    /expected a payload of \d+ bytes, but the checkpoint is truncated with 0 payload bytes$/,
  ],
  [
    'truncated inside the payload',
    () => encoded.subarray(0, 52 + 40),
    'ERR_CHECKPOINT_CORRUPT',
    /truncated with 40 payload bytes$/,
  ],
  [
    'missing its last byte',
    () => encoded.subarray(0, encoded.length - 1),
    'ERR_CHECKPOINT_CORRUPT',
    /is truncated with \d+ payload bytes$/,
  ],
  [
    'with trailing bytes',
    () => Uint8Array.from([...encoded, 0, 1, 2]),
    'ERR_CHECKPOINT_CORRUPT',
    /but the checkpoint has 3 trailing bytes$/,
  ],
  [
    'with a flipped byte in the payload',
    () => flip(encoded, 80),
    'ERR_CHECKPOINT_CORRUPT',
    new RegExp(
      "expected the payload's SHA-256 to be [0-9a-f]{64}, but got [0-9a-f]{64} " +
        String.raw`\(the payload of the checkpoint is corrupted\)$`,
    ),
  ],
  ['with a flipped byte in the checksum', () => flip(encoded, 40), 'ERR_CHECKPOINT_CORRUPT', /SHA-256/],
  ['with a flipped byte in the length', () => flip(encoded, 12), 'ERR_CHECKPOINT_CORRUPT', /payload/],
  [
    'with a flipped byte in the magic',
    () => flip(encoded, 2),
    'ERR_CHECKPOINT_CORRUPT',
    /expected the magic "TPROPCK\\0" \(5450524f50434b00\) at the start of the checkpoint, but got 5450ad4f50434b00$/,
  ],
  ['another file altogether', () => Buffer.from('{"kind":"agent"}'), 'ERR_CHECKPOINT_CORRUPT', /expected the magic/],
  [
    'undecodable msgpack under a good checksum',
    () => framed(Uint8Array.of(0x92, 0x01)),
    'ERR_CHECKPOINT_CORRUPT',
    /expected a msgpack payload, but decoding the checkpoint failed: /,
  ],
  [
    'msgpack that is not a { kind, payload } record',
    () => framed(new Packr().pack([1, 2])),
    'ERR_CHECKPOINT_CORRUPT',
    /expected a payload record \{ kind, payload \} in the checkpoint, but got Array\(2\)$/,
  ],
  [
    'a newer version',
    () => withVersion(2),
    'ERR_CHECKPOINT_VERSION',
    /^decodeCheckpoint: expected format version 1, but the checkpoint has version 2$/,
  ],
  ['version 0', () => withVersion(0), 'ERR_CHECKPOINT_VERSION', /has version 0$/],
  [
    'of another kind',
    () => encodeCheckpoint(payload, { kind: 'recording' }),
    'ERR_CHECKPOINT_MISMATCH',
    /^decodeCheckpoint: expected a checkpoint of kind "agent", but the checkpoint holds kind "recording"$/,
  ],
];

describe('checkpoint files', () => {
  describe('encodeCheckpoint', () => {
    it('lays out magic, version, payload length and SHA-256 before the msgpack payload', () => {
      const view = header(encoded);
      expect(Buffer.from(encoded.subarray(0, 8)).toString('latin1')).toBe('TPROPCK\0');
      expect(view.getUint32(8, true)).toBe(CHECKPOINT_VERSION);
      expect(CHECKPOINT_VERSION).toBe(1);
      expect(Number(view.getBigUint64(12, true))).toBe(encoded.length - 52);
      const body = encoded.subarray(52);
      expect(Buffer.from(encoded.subarray(20, 52)).toString('hex')).toBe(
        createHash('sha256').update(body).digest('hex'),
      );
      expect(new Packr({ moreTypes: true, useRecords: false }).unpack(body)).toEqual({ kind: 'agent', payload });
    });

    it('gives the same bytes for the same payload', () => {
      expect(encodeCheckpoint(payload, { kind: 'agent' })).toEqual(encoded);
    });

    it.each([
      [undefined, 'encodeCheckpoint: expected an options object with "kind", but got undefined'],
      [{}, 'encodeCheckpoint: expected option "kind" to be a non-empty string, but got undefined'],
      [{ kind: '' }, 'encodeCheckpoint: expected option "kind" to be a non-empty string, but got ""'],
      [{ kind: 'a', version: 2 }, 'encodeCheckpoint: expected options among [kind], but got unknown option "version"'],
    ])('throws InvalidOptionError on options %j', (options, message) => {
      let error: unknown;
      try {
        encodeCheckpoint(1, options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(message);
    });
  });

  describe('decodeCheckpoint', () => {
    it('round-trips nested objects, and typed arrays bit for bit', () => {
      const back = decodeCheckpoint(encoded, { kind: 'agent' }) as typeof payload;
      expect(back).toEqual(payload);
      const weights = back.layers[0]!.weights;
      expect(weights).toBeInstanceOf(Float32Array);
      expect(bitsOf(weights)).toEqual(bitsOf(awkwardFloats()));
      expect((back.layers[1] as { slots: { m: unknown } }).slots.m).toBeInstanceOf(Float64Array);
    });

    it.each(corruptions)('refuses a checkpoint %s', (_, bytes, code, message) => {
      let error: unknown;
      try {
        decodeCheckpoint(bytes(), { kind: 'agent' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).code).toBe(code);
      expect((error as Error).message).toMatch(/^decodeCheckpoint: expected /);
      expect((error as Error).message).toMatch(message);
    });
  });

  describe('writeCheckpoint, readCheckpoint', () => {
    it('round-trips through a file, bit-exact, leaving no temp file behind', () => {
      const path = join(directory, 'agent.ckpt');
      writeCheckpoint(path, payload, { kind: 'agent' });
      expect(new Uint8Array(readFileSync(path))).toEqual(encoded);
      const back = readCheckpoint(path, { kind: 'agent' }) as typeof payload;
      expect(bitsOf(back.layers[0]!.weights)).toEqual(bitsOf(awkwardFloats()));
      expect(readdirSync(directory)).toEqual(['agent.ckpt']);
    });

    it('replaces an existing checkpoint whole', () => {
      const path = join(directory, 'replace.ckpt');
      writeCheckpoint(path, { big: new Float32Array(10_000) }, { kind: 'agent' });
      writeCheckpoint(path, { small: 1 }, { kind: 'agent' });
      expect(readCheckpoint(path, { kind: 'agent' })).toEqual({ small: 1 });
    });

    it.each(
      corruptions.filter(([name]) =>
        [
          'truncated inside the payload',
          'with a flipped byte in the payload',
          'a newer version',
          'of another kind',
        ].includes(name),
      ),
    )('refuses a file %s, naming the file', (_, bytes, code) => {
      const path = join(directory, 'damaged.ckpt');
      writeFileSync(path, bytes());
      let error: unknown;
      try {
        readCheckpoint(path, { kind: 'agent' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).code).toBe(code);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(/^readCheckpoint: expected /);
    });

    it("throws node's ENOENT error, not a CheckpointError, for a missing file", () => {
      const path = join(directory, 'never-written.ckpt');
      let error: unknown;
      try {
        readCheckpoint(path, { kind: 'agent' });
      } catch (e) {
        error = e;
      }
      expect(error).not.toBeInstanceOf(CheckpointError);
      expect(error).toMatchObject({ code: 'ENOENT', path });
    });

    it("throws node's ENOENT error when the directory is gone, and creates nothing", () => {
      const gone = join(directory, 'gone');
      const path = join(gone, 'agent.ckpt');
      let error: unknown;
      try {
        writeCheckpoint(path, payload, { kind: 'agent' });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'ENOENT' });
      expect(existsSync(gone)).toBe(false);
    });

    it('throws InvalidOptionError on a path that is not a non-empty string', () => {
      expect(() => writeCheckpoint('', 1, { kind: 'agent' })).toThrow(InvalidOptionError);
      expect(() => readCheckpoint(5 as never, { kind: 'agent' })).toThrow(
        'readCheckpoint: expected a file path, but got 5',
      );
    });
  });
});
