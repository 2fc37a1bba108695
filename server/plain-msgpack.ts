// A walk over a client's bytes before any decoding: they must be exactly one value of plain msgpack
// (no extension but msgpackr's `undefined`, string map keys, shallow nesting), or ERR_PROTOCOL.
// Decoding what the protocol never uses costs: msgpackr turns ext 0x42 into a BigInt, and its
// own errors print what it read; refused here, neither ever runs. The walk is linear in the bytes.

import { clientFault } from './viewer-error.js';

/** Maps and arrays nest at most this deep; a client message needs two (a map holding an array). */
export const MAX_DEPTH = 8;
/** A map holds at most this many entries; a client message has at most six fields. */
export const MAX_MAP_ENTRIES = 32;

function fail(message: string): never {
  throw clientFault('ERR_PROTOCOL', `message: ${message}`);
}

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;

/** One open map or array: the items it still expects, and whether the next item is a map key. */
interface Open {
  left: number;
  readonly map: boolean;
  key: boolean;
}

/**
 * Checks that `data` holds exactly one msgpack value that the viewer decodes cheaply; throws
 * ERR_PROTOCOL naming what came (a type byte, an extension type, an offset), never the content.
 */
export function checkPlainMsgpack(data: Uint8Array): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = data.length;
  const stack: Open[] = [];
  let at = 0;
  const need = (bytes: number): number => {
    if (at + bytes > end) fail(`expected one msgpack value, but got ${end} bytes that end inside it`);
    const from = at;
    at += bytes;
    return from;
  };
  const uint = (size: 1 | 2 | 4): number => {
    const from = need(size);
    return size === 1 ? data[from]! : size === 2 ? view.getUint16(from) : view.getUint32(from);
  };
  const open = (count: number, map: boolean): void => {
    if (map && count > MAX_MAP_ENTRIES) {
      fail(`expected maps of at most ${MAX_MAP_ENTRIES} entries, but got one of ${count} at offset ${at}`);
    }
    // Every item takes at least one byte, so a count beyond the bytes left is a lie told cheaply.
    if ((map ? 2 * count : count) > end - at) {
      fail(`expected one msgpack value, but got ${end} bytes that end inside it`);
    }
    if (count === 0) return;
    if (stack.length >= MAX_DEPTH) fail(`expected maps and arrays nested at most ${MAX_DEPTH} deep, but got deeper`);
    stack.push({ left: map ? 2 * count : count, map, key: map });
  };
  do {
    const start = at;
    const byte = uint(1);
    const top = stack.at(-1);
    const isKey = top?.key === true;
    const isString = (byte >= 0xa0 && byte <= 0xbf) || byte === 0xd9 || byte === 0xda || byte === 0xdb;
    if (isKey && !isString) {
      fail(`expected map keys that are strings, but got type byte ${hex(byte)} at offset ${start}`);
    }
    if (top !== undefined) {
      top.left--;
      if (top.map) top.key = !top.key;
    }
    if (byte <= 0x7f || byte >= 0xe0 || byte === 0xc0 || byte === 0xc2 || byte === 0xc3) {
      // fixint, nil, false, true: nothing follows
    } else if (byte <= 0x8f) open(byte & 0x0f, true);
    else if (byte <= 0x9f) open(byte & 0x0f, false);
    else if (byte <= 0xbf) need(byte & 0x1f);
    else if (byte === 0xc4 || byte === 0xd9) need(uint(1));
    else if (byte === 0xc5 || byte === 0xda) need(uint(2));
    else if (byte === 0xc6 || byte === 0xdb) need(uint(4));
    else if (byte === 0xca) need(4);
    else if (byte === 0xcb) need(8);
    else if (byte >= 0xcc && byte <= 0xd3) need(1 << (byte & 0x03));
    else if (byte === 0xdc) open(uint(2), false);
    else if (byte === 0xdd) open(uint(4), false);
    else if (byte === 0xde) open(uint(2), true);
    else if (byte === 0xdf) open(uint(4), true);
    else if (byte === 0xd4 && at + 2 <= end && data[at] === 0 && data[at + 1] === 0) {
      at += 2; // msgpackr's `undefined` (fixext 1, type 0), which reads as an absent field
    } else if (byte === 0xc1) {
      fail(`expected one msgpack value, but got ${end} bytes that do not decode (0xc1 at offset ${start})`);
    } else {
      // Every other extension: fixext 1–16 (0xd4–0xd8) or ext 8/16/32 (0xc7–0xc9).
      const headerBytes = byte <= 0xc9 ? 1 << (byte - 0xc7) : 0;
      if (headerBytes > 0) need(headerBytes);
      const type = (data[need(1)]! << 24) >> 24;
      fail(
        `expected plain msgpack with no extensions (clients send maps, strings and numbers), but got extension ` +
          `type ${type} at offset ${start}`,
      );
    }
    while (stack.length > 0 && stack.at(-1)!.left === 0) stack.pop();
  } while (stack.length > 0);
  if (at < end) fail(`expected one msgpack value, but got ${end - at} more bytes after it`);
}
