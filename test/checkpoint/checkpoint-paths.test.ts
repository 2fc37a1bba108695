// What a checkpoint path may name: a regular file. A folder, a named pipe or a path ending in a
// slash is refused with a typed error, at once (a pipe with no writer must not block the read).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { InvalidOptionError } from '../../src/errors.js';
import { thrown } from '../helpers/thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'tprop-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kind = { kind: 'test' };
const CHECKPOINT_FILE = fileURLToPath(new URL('../../src/checkpoint/checkpoint-file.ts', import.meta.url));

describe('readCheckpoint', () => {
  it('refuses a folder with InvalidOptionError ERR_INVALID_OPTION naming it', () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const error = thrown(() => readCheckpoint(folder, kind));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(`readCheckpoint: expected a regular file, but ${folder} is a directory`);
  });

  it('refuses a named pipe that has no writer without blocking on it', () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // In a child process with a time limit: a read that blocked would otherwise hang the suite.
    const script =
      `import { readCheckpoint } from ${JSON.stringify(CHECKPOINT_FILE)};\n` +
      `try { readCheckpoint(${JSON.stringify(fifo)}, { kind: 'test' }); } ` +
      `catch (error) { console.log(JSON.stringify({ name: error.name, message: error.message })); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
      encoding: 'utf8',
    });
    expect(child.signal, 'the read blocked on the pipe').toBeNull();
    expect(JSON.parse(child.stdout)).toEqual({
      name: 'InvalidOptionError',
      message: `readCheckpoint: expected a regular file, but ${fifo} is a named pipe`,
    });
  });

  it('refuses a path ending in a slash, and keeps node’s error for a symbolic link loop', () => {
    const file = join(dir, 'plain');
    writeCheckpoint(file, { a: 1 }, kind);
    const error = thrown(() => readCheckpoint(`${file}/`, kind));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(
      `readCheckpoint: expected the path of a file, but ${file}/ ends with a path separator`,
    );
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    expect(thrown(() => readCheckpoint(loop, kind))).toMatchObject({ code: 'ELOOP' });
    expect(readCheckpoint(file, kind)).toEqual({ a: 1 });
  });
});

describe('writeCheckpoint', () => {
  it('refuses a path ending in a slash rather than writing the file without it', () => {
    const target = join(dir, 'x');
    const error = thrown(() => writeCheckpoint(`${target}/`, { a: 1 }, kind));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(
      `writeCheckpoint: expected the path of a file, but ${target}/ ends with a path separator`,
    );
    expect(existsSync(target)).toBe(false);
  });
});
