// What the server decodes from a client: one value of plain msgpack, checked byte by byte before
// msgpackr sees it. BigInts and every other extension, deep nesting, wide maps, non-string keys
// and stray bytes are refused cheaply, and no answer quotes more than a little of what came.

import { Packr, Unpackr, pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { AccessGuard } from '../../server/access-guard.js';
import { checkPlainMsgpack } from '../../server/plain-msgpack.js';
import { decodePayload, encodeMessage, type ServerMessage } from '../../server/protocol.js';
import { RequestHandler } from '../../server/request-handler.js';
import type { ViewerClient } from '../../server/viewer-client.js';
import { MAX_ERROR_MESSAGE, describeValue } from '../../server/viewer-error.js';
import { createFakeRun } from './helpers/fake-run.js';
import { bigintMessage, bytes, extension, nested, wideMap } from './helpers/hostile-bytes.js';

const refusal = (data: Uint8Array) => {
  try {
    decodePayload(data);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected decodePayload to refuse the bytes');
};

/** A handler over a paused fake run, and what it answers to one message (encoded as it would be sent). */
function handlerFor() {
  const run = createFakeRun({ startPaused: true });
  const handler = new RequestHandler({
    run,
    guard: new AccessGuard('127.0.0.1', 0, null),
    broadcastState: () => {},
    topology: () => run.topology,
    history: () => ({ stride: 1, steps: new Float64Array(0), losses: {}, metrics: {}, layers: {} }) as never,
  });
  const replies: Buffer[] = [];
  const client = { send: (m: ServerMessage) => replies.push(encodeMessage(m)) > 0 } as unknown as ViewerClient;
  return {
    answer(data: Uint8Array | string): { ms: number; bytes: number; reply: ServerMessage } {
      const before = replies.length;
      const start = performance.now();
      handler.handle(client, Buffer.from(data), typeof data !== 'string');
      const ms = performance.now() - start;
      expect(replies.length).toBe(before + 1);
      const reply = replies.at(-1)!;
      return { ms, bytes: reply.length, reply: decodePayloadLoose(reply) };
    },
  };
}

// The replies are the server's own messages, decoded as a client would (ext types allowed).
const clientSide = new Unpackr({ useRecords: false });
const decodePayloadLoose = (data: Buffer) => clientSide.unpack(data) as ServerMessage;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

describe('checkPlainMsgpack', () => {
  it('accepts every request a client may send, and what msgpackr writes for undefined', () => {
    for (const message of [
      { type: 'subscribe', id: 'a', parts: ['layers', 'recent'], layers: null, modalities: ['next'], rate: 2.5 },
      { type: 'control', id: 2 ** 40, action: 'rate', value: 30, token: 'abcdefgh' },
      { type: 'history', id: -3, flag: true, bytes: Buffer.from([1, 2]), f: 0.1, big: 2 ** 60 },
      { type: 'history', id: undefined },
      {},
    ]) {
      expect(() => checkPlainMsgpack(pack(message))).not.toThrow();
    }
    expect(() => checkPlainMsgpack(nested(7))).not.toThrow();
    expect(() => checkPlainMsgpack(wideMap(32))).not.toThrow();
  });

  it('refuses msgpackr BigInts (ext 0x42) of any size before decoding them', () => {
    for (const total of [16, 1000, 65_536]) {
      expect(refusal(bigintMessage(total))).toEqual(
        expect.objectContaining({
          code: 'ERR_PROTOCOL',
          message:
            'message: expected plain msgpack with no extensions (clients send maps, strings and numbers), but got ' +
            'extension type 66 at offset 0',
        }),
      );
    }
    const inside = bytes(
      [0x82, 0xa4, ...Buffer.from('type'), 0xa7, ...Buffer.from('history'), 0xa2, 0x69, 0x64],
      [...bigintMessage(4096)],
    );
    expect(refusal(inside).message).toMatch(/extension type 66 at offset 17$/);
  });

  it('refuses every other extension: typed arrays, timestamps, records, fixext of every size', () => {
    const cases: Array<[Uint8Array, number]> = [
      [extension(0x74, Uint8Array.of(7, 0, 0, 0xc0, 0x3f)), 116],
      [new Packr({ moreTypes: true }).pack(new Float32Array([1.5])), 116],
      [Uint8Array.of(0xd6, 0xff, 0, 0, 0, 1), -1],
      [Uint8Array.of(0xd4, 0x72, 0x00), 114],
      [Uint8Array.of(0xd4, 0x00, 0x01), 0],
      [Uint8Array.of(0xd5, 0x05, 1, 2), 5],
      [Uint8Array.of(0xd7, 0x10, 1, 2, 3, 4, 5, 6, 7, 8), 16],
      [Uint8Array.of(0xd8, 0x80, ...new Uint8Array(16)), -128],
      [extension(0x01, new Uint8Array(70_000).subarray(0, 65_000)), 1],
    ];
    for (const [data, type] of cases) expect(refusal(data).message).toMatch(new RegExp(`extension type ${type} at`));
  });

  it('refuses nesting deeper than 8, maps wider than 32, non-string keys and the unused byte 0xc1', () => {
    expect(refusal(nested(8)).message).toBe('message: expected maps and arrays nested at most 8 deep, but got deeper');
    expect(refusal(nested(60_000)).message).toMatch(/nested at most 8 deep/);
    expect(refusal(wideMap(33)).message).toBe(
      'message: expected maps of at most 32 entries, but got one of 33 at offset 3',
    );
    expect(refusal(Uint8Array.of(0x81, 0x01, 0xc0)).message).toBe(
      'message: expected map keys that are strings, but got type byte 0x01 at offset 1',
    );
    expect(refusal(Uint8Array.of(0xc1)).message).toBe(
      'message: expected one msgpack value, but got 1 bytes that do not decode (0xc1 at offset 0)',
    );
  });

  it('refuses truncated values, lying lengths and bytes after the value, quoting none of them', () => {
    const whole = pack({ type: 'subscribe', parts: ['layers'] });
    for (let cut = 1; cut < whole.length; cut++) {
      expect(refusal(whole.subarray(0, cut)).message).toBe(
        `message: expected one msgpack value, but got ${cut} bytes that end inside it`,
      );
    }
    expect(refusal(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0)).message).toMatch(/end inside it$/);
    expect(refusal(Uint8Array.of(0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61)).message).toMatch(/end inside it$/);
    // msgpackr's own message here quotes the decoded value ("end of buffer not reached [...]").
    const secret = 'x'.repeat(1000);
    expect(refusal(bytes(pack({ type: 'history', secret }), [0xc0])).message).toBe(
      'message: expected one msgpack value, but got 1 more bytes after it',
    );
  });

  it('decodes 64-bit integers as numbers, never BigInts', () => {
    const uint64 = bytes([0x81, 0xa4, ...Buffer.from('rate'), 0xcf], [0, 0, 0, 0, 0, 0, 0, 5]);
    const int64 = bytes([0x81, 0xa4, ...Buffer.from('rate'), 0xd3], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    expect(decodePayload(uint64)).toEqual({ rate: 5 });
    expect(decodePayload(int64)).toEqual({ rate: -2 });
  });

  it('takes time linear in the bytes: a 64 KiB message of any kind is checked in well under a millisecond', () => {
    const samples = [bigintMessage(65_536), nested(60_000), pack({ type: 'x'.repeat(65_000) }), wideMap(32)];
    for (const data of samples) {
      const times = Array.from({ length: 7 }, () => {
        const start = performance.now();
        try {
          checkPlainMsgpack(data);
        } catch {}
        return performance.now() - start;
      });
      expect(median(times)).toBeLessThan(1);
    }
  });
});

describe('RequestHandler on hostile input', () => {
  it('answers a 64 KiB BigInt in a small reply within a few milliseconds (it was 158 KB and 95 ms)', () => {
    const { answer } = handlerFor();
    const runs = Array.from({ length: 5 }, () => answer(bigintMessage(65_536)));
    expect(runs[0]!.reply).toMatchObject({ type: 'error', code: 'ERR_PROTOCOL' });
    expect(Math.max(...runs.map((r) => r.bytes))).toBeLessThan(300);
    expect(median(runs.map((r) => r.ms))).toBeLessThan(3);
  });

  it('quotes at most 40 characters of a 65,000-character field name, and no error exceeds 300 characters', () => {
    const { answer } = handlerFor();
    const { reply, bytes: size } = answer(pack({ type: 'history', id: 7, ['k'.repeat(65_000)]: 1 }));
    expect(reply).toEqual({
      type: 'error',
      code: 'ERR_PROTOCOL',
      id: 7,
      message: `history: expected fields among [type, id], but got unknown field "${'k'.repeat(40)}…"`,
    });
    expect(size).toBeLessThan(300);
    const long = 'é'.repeat(65_000);
    for (const message of [
      { type: long },
      { type: 'subscribe', parts: [long] },
      { type: 'subscribe', layers: Array(20).fill(long) },
      { type: 'control', action: long },
      { type: 'control', action: 'pause', token: 5, [long]: long },
      { [long]: 1, [`${long}2`]: 2, type: 3 },
      { type: 'subscribe', id: long },
    ]) {
      const { reply, bytes: replySize } = answer(pack(message));
      expect(reply).toMatchObject({ type: 'error', code: 'ERR_PROTOCOL' });
      expect((reply as { message: string }).message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE);
      expect(replySize).toBeLessThan(1000);
    }
  });

  it('answers a text message, valid UTF-8 or not, with ERR_PROTOCOL', () => {
    const { answer } = handlerFor();
    expect(answer('{"type":"history"}').reply).toMatchObject({ code: 'ERR_PROTOCOL' });
  });

  it('describes values by kind and size, never in full', () => {
    expect(describeValue(2n ** 500_000n)).toBe('a BigInt');
    expect(describeValue({ ['k'.repeat(100)]: 1 })).toBe(`object with keys [${'k'.repeat(40)}…]`);
    expect(describeValue('s'.repeat(41))).toBe(`"${'s'.repeat(40)}…"`);
  });
});
