// A sheet of 28 × 28 digits as a greyscale PNG (one row per class), written with node:zlib only.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** `rows[c]` holds the images of row c (784 values in [0, 1] each); written to `path`. */
export function writeDigitSheet(path: string, rows: readonly Float32Array[][]): void {
  const cell = 29;
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * cell + 1;
  const height = rows.length * cell + 1;
  // One filter byte (0: none) before each scanline.
  const pixels = new Uint8Array(height * (width + 1));
  rows.forEach((images, c) =>
    images.forEach((image, k) => {
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const v = Math.max(0, Math.min(1, image[y * 28 + x]!));
          pixels[(c * cell + 1 + y) * (width + 1) + 1 + k * cell + 1 + x] = Math.round(255 * v);
        }
    }),
  );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const png = [signature, chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', new Uint8Array())];
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat(png));
}
