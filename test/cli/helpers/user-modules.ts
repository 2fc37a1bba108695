// Environment modules written by a test into a temporary folder outside the repository, as a
// user's own files would be, and removed afterwards.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UserModules {
  readonly folder: string;
  /** The absolute path of module `name`. */
  path(name: string): string;
  remove(): void;
}

/** Writes each of `files` (name → source) into a new temporary folder. */
export function writeUserModules(files: Readonly<Record<string, string>>): UserModules {
  const folder = mkdtempSync(join(tmpdir(), 'tprop-cli-'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(folder, name), source);
  return {
    folder,
    path: (name) => join(folder, name),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** Runs `task` over `items`, at most `limit` at a time, keeping their order in the results. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
