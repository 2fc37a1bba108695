// The viewer must never load the tensor engine: nothing under server/ imports @tensorflow, and
// it reaches into src/ only with `import type`, which TypeScript erases.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../server/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js|html)$/.test(entry.name) ? [path] : [];
  });
}

/** Every import or export-from statement of a file, joined onto one line each. */
function imports(text: string): string[] {
  return [
    ...text.matchAll(
      /^(?:import|export)\s[^;]*?from\s+['"][^'"]+['"]|^import\s+['"][^'"]+['"]|import\(\s*['"][^'"]+['"]\s*\)/gms,
    ),
  ].map((m) => m[0].replace(/\s+/g, ' '));
}

describe('server/', () => {
  const files = sources(ROOT);

  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('never imports @tensorflow', () => {
    for (const file of files)
      expect({ file, found: readFileSync(file, 'utf8').includes('@tensorflow') }).toEqual({ file, found: false });
  });

  it('imports from src/ with `import type` only', () => {
    for (const file of files) {
      const values = imports(readFileSync(file, 'utf8')).filter(
        (line) => /['"](\.\.\/)+src\//.test(line) && !/^(import|export) type /.test(line),
      );
      expect({ file, values }).toEqual({ file, values: [] });
    }
  });
});
