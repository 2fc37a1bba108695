// Module hooks for environment modules loaded by the CLI: `tprop` and `tprop/…` resolve to the
// CLI's own copy from any folder, and an environment module written with import/export loads as
// an ES module even outside a "type": "module" package. Plain JS: hooks run on a loader thread.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The query that marks the import of an environment module (see environment-source.ts). */
export const ENVIRONMENT_MARK = 'tprop-environment-module';

/** @type {string} */
let home = '';

/** @param {{ home: string }} data the URL of a file inside this package */
export function initialize(data) {
  home = data.home;
}

const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s)/m;

/** True when the file at `url` (a file: URL, maybe with a query) is written as an ES module. */
function looksLikeModule(url) {
  try {
    return ESM_SYNTAX.test(readFileSync(fileURLToPath(url.replace(/\?.*$/, '')), 'utf8'));
  } catch {
    return false;
  }
}

export async function resolve(specifier, context, nextResolve) {
  // One copy, not just any copy: the registries and the error classes that checkEnvironment
  // recognises (`instanceof StateError`) must be the ones the CLI runs with.
  if (home !== '' && (specifier === 'tprop' || specifier.startsWith('tprop/'))) {
    return nextResolve(specifier, { ...context, parentURL: home });
  }
  const result = await nextResolve(specifier, context);
  // Outside a "type": "module" package node would take the file for CommonJS, find import
  // syntax and fall into a require(esm) cycle with the import in progress; say what it is.
  if (result.url.endsWith(`?${ENVIRONMENT_MARK}`) && result.format !== 'module' && looksLikeModule(result.url)) {
    return { ...result, format: 'module' };
  }
  return result;
}
