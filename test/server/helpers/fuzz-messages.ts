// Seeded hostile client messages for the fuzz test: random bytes, BigInts and other extensions,
// deep nesting, wide maps, huge strings and keys, NaN, wrong types, truncations, text frames,
// and messages valid in form but wrong for the run; a few valid ones and a few oversize ones.

import { pack } from 'msgpackr';
import type { Rng } from '../../../src/random.js';
import { bigintMessage, bytes, extension, nested, wideMap } from './hostile-bytes.js';

/** One message to send: binary bytes or a text frame, with what the server must answer. */
export interface FuzzMessage {
  readonly kind: string;
  readonly data: Uint8Array | string;
  /** The id the answer must carry (the message is a readable map with a usable id). */
  readonly id?: number;
  /** Larger than maxPayload: the server closes the connection (1009) instead of answering. */
  readonly oversize?: boolean;
}

export interface FuzzNames {
  readonly layers: readonly string[];
  readonly modalities: readonly string[];
  /** The connection's maxPayload. */
  readonly maxPayload: number;
}

const PARTS = ['layers', 'recent', 'modalities', 'losses', 'metrics'];
const ACTIONS = ['pause', 'resume', 'step', 'rate'];

/** Makes `count` messages (plus `oversize` ones spread among them) from `rng` alone. */
export function fuzzMessages(rng: Rng, count: number, names: FuzzNames, oversize = 0): FuzzMessage[] {
  let nextId = 1;
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
  const text = (n: number) => String.fromCharCode(...Array.from({ length: n }, () => 32 + rng.int(0x2fd0)));
  const longText = (n: number) => pick(['k', 'é', '☃', '"', '\\']).repeat(n);
  const weird = (): unknown =>
    pick<() => unknown>([
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      () => Number.NEGATIVE_INFINITY,
      () => -0,
      () => 2 ** 64,
      () => null,
      () => true,
      () => [],
      () => ({}),
      () => ({ nested: [1, 2, { deep: 'x' }] }),
      () => text(rng.int(20)),
      () => randomBytes(rng.int(12)),
      () => rng.int(1000) - 500,
      () => rng.float() * 1e9,
    ])();
  /** A readable map whose `id` the answer must echo. */
  const withId = (kind: string, fields: Record<string, unknown>): FuzzMessage => {
    const id = nextId++;
    return { kind, data: pack({ ...fields, id }), id };
  };

  const makers: Array<[number, () => FuzzMessage]> = [
    [15, () => ({ kind: 'random bytes', data: randomBytes(1 + rng.int(64)) })],
    [1, () => ({ kind: 'empty', data: new Uint8Array(0) })],
    [8, () => ({ kind: 'bigint', data: bigintMessage(rng.float() < 0.01 ? names.maxPayload : 16 + rng.int(1024)) })],
    [
      8,
      () => {
        const type = rng.int(256) - 128;
        const data = randomBytes(rng.int(200));
        const fixed = [1, 2, 4, 8, 16][rng.int(5)]!;
        const fixext = Uint8Array.of(0xd4 + Math.log2(fixed), type & 0xff, ...randomBytes(fixed));
        return { kind: 'extension', data: rng.float() < 0.5 ? extension(type, data) : fixext };
      },
    ],
    [
      3,
      () => ({
        kind: 'extension in a request',
        data: bytes(
          [0x82, 0xa4, ...Buffer.from('type'), 0xa7, ...Buffer.from('history'), 0xa2, 0x69, 0x64],
          [...extension(pick([0x74, 0x42, 0x72, -1, 0]), randomBytes(1 + rng.int(64)))],
        ),
      }),
    ],
    [
      6,
      () => {
        // Up to 30,000 levels, so that even maps (two bytes a level) stay within maxPayload.
        const depth = 9 + rng.int(rng.float() < 0.03 ? 30_000 : 200);
        const maps = Uint8Array.from({ length: 2 * depth + 1 }, (_, i) => (i % 2 === 0 ? 0x81 : 0xa0));
        maps[2 * depth] = 0xc0;
        return { kind: 'deep nesting', data: rng.float() < 0.5 ? nested(depth) : maps };
      },
    ],
    [3, () => ({ kind: 'wide map', data: wideMap(33 + rng.int(500)) })],
    [
      2,
      () => ({
        kind: 'non-string key',
        data: bytes([0x82, 0xa4, ...Buffer.from('type')], pack('history'), [0x01, 0x02]),
      }),
    ],
    [
      5,
      () => {
        // Rarely 9,000 characters (two such strings of 3-byte ones stay within maxPayload), or one 65,000-long key.
        const rare = rng.float() < 0.03;
        const n = rare ? 9000 : 50 + rng.int(500);
        return pick([
          () => withId('huge key', { type: 'history', [rare ? 'k'.repeat(65_000) : longText(n)]: 1 }),
          () => withId('huge string', { type: longText(n) }),
          () => withId('huge string', { type: 'control', action: longText(n) }),
          () => withId('huge string', { type: 'subscribe', parts: [longText(n)], layers: [longText(n)] }),
          () => withId('huge string', { type: 'control', action: 'pause', token: longText(n) }),
          () => ({ kind: 'huge id', data: pack({ type: 'history', id: longText(n) }) }),
          () => withId('many names', { type: 'subscribe', layers: Array(300).fill('nope') }),
        ])();
      },
    ],
    [
      8,
      () =>
        pick([
          () => withId('NaN', { type: 'subscribe', rate: pick([Number.NaN, Infinity, -Infinity]) }),
          () => withId('NaN', { type: 'control', action: 'rate', value: Number.NaN }),
          () => ({ kind: 'NaN id', data: pack({ type: 'history', id: Number.NaN }) }),
          () => ({ kind: 'NaN id', data: pack({ type: 'subscribe', id: 0.5 }) }),
        ])(),
    ],
    [
      12,
      () =>
        pick([
          () => ({ kind: 'wrong type', data: pack({ type: weird() }) }),
          () => withId('wrong type', { type: 'subscribe', parts: weird() }),
          () => withId('wrong type', { type: 'subscribe', layers: weird(), modalities: weird() }),
          () => withId('wrong type', { type: 'subscribe', rate: weird() }),
          () => withId('wrong type', { type: 'control', action: weird() }),
          () => withId('wrong type', { type: 'control', action: pick(ACTIONS), value: weird(), token: weird() }),
          () => ({ kind: 'not a map', data: pack(weird()) }),
          () => ({ kind: 'not a map', data: pack([{ type: 'history' }]) }),
        ])(),
    ],
    [
      10,
      () => {
        const whole = pack({ type: pick(['subscribe', 'control', 'history']), id: nextId, parts: PARTS, rate: 5 });
        return { kind: 'truncated', data: whole.subarray(0, 1 + rng.int(whole.length - 1)) };
      },
    ],
    [4, () => ({ kind: 'trailing bytes', data: bytes(pack({ type: 'history' }), randomBytes(1 + rng.int(8))) })],
    [4, () => ({ kind: 'two values', data: bytes(pack({ type: 'history' }), pack({ type: 'history' })) })],
    [
      5,
      () => ({
        kind: 'text',
        data: pick([() => text(1 + rng.int(100)), () => JSON.stringify({ type: 'subscribe', id: 1 })])(),
      }),
    ],
    [
      10,
      () =>
        pick([
          () => withId('valid form, wrong names', { type: 'subscribe', layers: ['nope'], parts: ['layers'] }),
          () => withId('valid form, wrong names', { type: 'subscribe', modalities: [text(5)] }),
          () => withId('valid form, wrong names', { type: 'subscribe', parts: ['frames'] }),
          () => withId('no token', { type: 'control', action: pick(ACTIONS), value: 1 }),
          () => withId('no token', { type: 'control', action: pick(['pause', 'step', 'resume']) }),
          () => withId('wrong token', { type: 'control', action: 'pause', token: text(8) }),
          () => withId('unknown type', { type: pick(['explode', 'Subscribe', 'hello', 'frame', '']) }),
          () => withId('unknown field', { type: 'history', since: 0 }),
          () => withId('unknown field', { type: 'subscribe', part: ['layers'] }),
        ])(),
    ],
    [
      3,
      () =>
        pick([
          () =>
            withId('valid subscribe', {
              type: 'subscribe',
              parts: PARTS.filter(() => rng.float() < 0.5),
              layers: rng.float() < 0.5 ? null : [pick(names.layers)],
              modalities: rng.float() < 0.5 ? null : [pick(names.modalities)],
              rate: 0.2 + rng.float() * 9.8,
            }),
          () => withId('valid subscribe', { type: 'subscribe', rate: 1 + rng.int(10) }),
          () => withId('valid history', { type: 'history' }),
        ])(),
    ],
  ];
  const total = makers.reduce((sum, [weight]) => sum + weight, 0);
  const choose = () => {
    let r = rng.float() * total;
    for (const [weight, make] of makers) {
      r -= weight;
      if (r < 0) return make();
    }
    return makers[0]![1]();
  };
  const out = Array.from({ length: count }, choose);
  for (let i = 0; i < oversize; i++) {
    const data = randomBytes(names.maxPayload + 1 + rng.int(1024));
    out.splice(rng.int(out.length), 0, { kind: 'oversize', data, oversize: true });
  }
  return out;
}
