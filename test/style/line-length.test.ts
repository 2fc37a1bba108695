// House style: lines of at most 120 characters (the formatter's print width), so that a reader never
// scrolls sideways. Biome wraps code but not strings, comments or regular expressions; this test
// catches those, in every git-tracked .ts and .js file but the generated wasm kernels.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX = 120;
const GENERATED = new Set(['src/math/kernels-wasm.ts']);

it(`keeps every line of the tracked .ts and .js files within ${MAX} characters`, () => {
  const files = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.js'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && !GENERATED.has(file));
  expect(files).toContain('test/style/line-length.test.ts');
  const long: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      continue; // tracked but deleted in the working tree
    }
    text.split('\n').forEach((line, i) => {
      // Characters as a reader counts them (code points), as the formatter does.
      const length = [...line].length;
      if (length > MAX) long.push(`${file}:${i + 1} (${length} characters)`);
    });
  }
  expect(long).toEqual([]);
});
