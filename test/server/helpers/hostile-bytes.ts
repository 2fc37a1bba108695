// Hand-made msgpack that a client should never send: extensions (msgpackr's BigInt among them),
// deep nesting, wide maps, truncations. Written byte by byte so no encoder tidies them up.

import { pack } from 'msgpackr';

/** An extension value in the smallest ext8/16/32 form (never fixext), `type` as a signed byte. */
export function extension(type: number, data: Uint8Array): Uint8Array {
  const n = data.length;
  const head =
    n < 0x100
      ? [0xc7, n]
      : n < 0x10000
        ? [0xc8, n >> 8, n & 0xff]
        : [0xc9, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n];
  return Uint8Array.from([...head, type & 0xff, ...data]);
}

/** msgpackr's BigInt extension (type 0x42) taking exactly `total` bytes, e.g. 65 536: a 500,000-bit integer. */
export function bigintMessage(total: number): Uint8Array {
  const out = new Uint8Array(total).fill(0x5a);
  const data = total - 6;
  out.set([0xc9, data >>> 24, (data >> 16) & 0xff, (data >> 8) & 0xff, data & 0xff, 0x42]);
  return out;
}

/** `depth` arrays of one element inside each other around `inner` (a map, so the innermost holds a request). */
export function nested(depth: number, inner: Uint8Array = pack({ type: 'history' })): Uint8Array {
  const out = new Uint8Array(depth + inner.length).fill(0x91);
  out.set(inner, depth);
  return out;
}

/** A map of `entries` string keys, each mapped to nil (as map16). */
export function wideMap(entries: number): Uint8Array {
  const parts: number[] = [0xde, entries >> 8, entries & 0xff];
  for (let i = 0; i < entries; i++) parts.push(0xa0 | String(i).length, ...Buffer.from(String(i)), 0xc0);
  return Uint8Array.from(parts);
}

/** Concatenates byte strings. */
export function bytes(...parts: Array<Uint8Array | number[]>): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
