// Where a run's environment comes from: a registered id, a data file (replayed by DataStream), or
// a module on disk exporting a factory, which is checked against the environment contract
// before a run may learn from it. A module's
// environment runs inside a UserEnvironment, so that a fault of its code is ERR_ENVIRONMENT with its place.

import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, checkEnvironment, makeEnvironment, type Environment } from 'tprop';
import { DataStream, type DataStreamOptions } from 'tprop/environments';
import { CliError } from './cli-error.js';
import { ENVIRONMENT_MARK, type UserCodeError, type UserModule, importError } from './user-code-error.js';
import { type FaultLog, userFactory } from './user-environment.js';
import { type DataFlags, isDataPath } from './run-options.js';

/** Built, the CLI is plain JavaScript; tsx's loader is registered once, for modules in TypeScript only. */
let typeScriptLoader: Promise<void> | null = null;

async function registerTypeScript(path: string): Promise<void> {
  // From the sources (cli/tprop.js) everything already runs under tsx.
  if (!/\.[mc]?tsx?$/.test(path) || import.meta.url.endsWith('.ts')) return;
  typeScriptLoader ??= import('tsx/esm/api').then(({ register: registerTsx }) => {
    registerTsx();
    // The last hooks registered run first: ours again, ahead of tsx's, so that a module outside a
    // "type": "module" package still loads as the ES module it is written as (as under cli/tprop.js).
    register('./tprop-resolve-hooks.js', import.meta.url, { data: { home: import.meta.url } });
  });
  await typeScriptLoader;
}

/** Steps per run of the up-front check: enough for a few episodes, quick enough to go unnoticed. */
export const MODULE_CHECK_STEPS = 50;

type Factory = (options: Record<string, unknown>) => unknown;

/** A module path is anything with a slash or a script's extension; the rest are registered ids. */
export function isModulePath(argument: string): boolean {
  return /[/\\]/.test(argument) || /\.(?:ts|mts|js|mjs)$/.test(argument);
}

/** Builds the environment named by `argument`, with `options` (checked by the registry or the factory). */
export async function openEnvironment(
  argument: string,
  options: Record<string, unknown>,
  seed: number | undefined,
  data?: DataFlags,
): Promise<Environment> {
  if (isDataPath(argument)) return openData(argument, options, data);
  if (!isModulePath(argument)) return makeEnvironment(argument, options);
  const path = resolve(argument);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new CliError(
      `run: expected an environment module at ${path}, but there is no such file (an id has no "/" or extension; ` +
        `see tprop list)`,
    );
  }
  // The mark lets the CLI's module hooks load the file as an ES module wherever it lives.
  const url = `${pathToFileURL(path).href}?${ENVIRONMENT_MARK}`;
  const user: UserModule = { path };
  await registerTypeScript(path);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw importError(error, user);
  }
  const log: FaultLog = { last: null };
  const factory = userFactory(factoryOf(exports, argument), user, log);
  // Built once outside the check, so that a bad option keeps its own code (ERR_INVALID_OPTION).
  const environment = factory(options);
  try {
    // Seed sensitivity is not asked for: a fixed sequence is a fair thing to learn from.
    checkEnvironment(() => factory(options), { steps: MODULE_CHECK_STEPS, seed: seed ?? 0, seedSensitive: false });
  } catch (error) {
    const fault = log.last;
    try {
      environment.close();
    } catch {
      // The check's failure is the one to report.
    }
    if (fault !== null) throw inTheCheck(fault, error);
    if (error instanceof EnvironmentError)
      throw new EnvironmentError(`${argument} breaks the environment contract: ${error.message}`);
    throw error;
  }
  if (environment.spec === undefined && Object.isExtensible(environment.inner)) {
    // The viewer and the reports name a run's environment by its spec.
    environment.spec = {
      id: basename(path),
      description: `environment module ${path}`,
      options: Object.freeze({ ...options }),
    };
  }
  return environment;
}

/** A data file replayed by DataStream: the flags name its columns, over --env-options. */
function openData(argument: string, options: Record<string, unknown>, data: DataFlags | undefined): Environment {
  const path = resolve(argument);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new CliError(`run: expected a data file at ${path}, but there is no such file`);
  const flags: DataStreamOptions = {};
  if (data?.columns !== undefined) flags.columns = data.columns;
  if (data?.labels !== undefined) flags.labels = data.labels;
  if (data?.timestamp !== undefined) flags.timestamp = data.timestamp;
  if (data?.timeFeatures === true) flags.timeFeatures = true;
  const all = { ...options, ...flags, path };
  const environment = new DataStream(all);
  environment.spec = { id: basename(path), description: `data file ${path}`, options: Object.freeze(all) };
  return environment;
}

/**
 * A fault of the user's code that failed the up-front check is reported as itself, with what the
 * check was doing when the code threw ("expected step() before reset() to throw StateError …").
 */
function inTheCheck(fault: UserCodeError, failure: unknown): UserCodeError {
  const doing = /^checkEnvironment: (.*?), but it threw /s.exec((failure as Error | null)?.message ?? '')?.[1];
  if (fault.threw && doing !== undefined) fault.message += ` (in the check before the run: ${doing})`;
  return fault;
}

function factoryOf(module: Record<string, unknown>, argument: string): Factory {
  const exported = typeof module.default === 'function' ? module.default : module.createEnvironment;
  if (typeof exported !== 'function') {
    const names = Object.keys(module);
    throw new EnvironmentError(
      `${argument}: expected a factory of environments as the default export or as "createEnvironment", but the ` +
        `module exports ${names.length ? `[${names.join(', ')}]` : 'nothing'}`,
    );
  }
  // A class is welcome too: `export default class MyEnvironment { ... }`.
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(exported));
  const make = exported as Factory;
  const construct = exported as new (options: Record<string, unknown>) => unknown;
  return isClass ? (options) => new construct({ ...options }) : (options) => make({ ...options });
}
