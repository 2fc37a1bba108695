// The registry of environments by versioned id (`Name-vN`, after Gymnasium): a factory, a
// description and default options per id. `makeEnvironment` is how tools and the viewer build
// an environment by name; built-ins register themselves from `environments/index.ts`.

import type { Environment, EnvironmentFactory } from './environment.js';
import { InvalidOptionError, UnknownIdError, describeValue } from '../errors.js';

export interface EnvironmentRegistration {
  /** One line saying what the task is. Default ''. */
  readonly description?: string;
  /** Every option the factory accepts, with its default; `makeEnvironment` rejects other keys. Default {}. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

export interface EnvironmentListing {
  readonly id: string;
  readonly description: string;
  readonly defaults: Readonly<Record<string, unknown>>;
}

interface Entry {
  readonly factory: EnvironmentFactory;
  readonly description: string;
  readonly defaults: Readonly<Record<string, unknown>>;
}

/** `Name-vN`: a name of letters, digits, `_` and inner `-`, starting with a letter; N without leading zeros. */
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*-v(?:0|[1-9][0-9]*)$/;

const registry = new Map<string, Entry>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Copies arrays and plain objects so no caller can edit what the registry or an env holds. */
function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = frozenCopy(v);
    return Object.freeze(out) as T;
  }
  return value;
}

/** Registers `factory` under `id`; throws InvalidOptionError on a malformed or taken id. */
export function registerEnvironment(
  id: string,
  factory: EnvironmentFactory,
  registration: EnvironmentRegistration = {},
): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new InvalidOptionError(
      `registerEnvironment: expected an id of the form "Name-vN", but got ${describeValue(id)}`,
    );
  }
  if (registry.has(id)) {
    throw new InvalidOptionError(
      `registerEnvironment: expected an id not yet registered, but got "${id}" a second time`,
    );
  }
  if (typeof factory !== 'function') {
    throw new InvalidOptionError(
      `registerEnvironment: expected a factory function for "${id}", but got ${describeValue(factory)}`,
    );
  }
  if (!isPlainObject(registration)) {
    throw new InvalidOptionError(
      `registerEnvironment: expected a registration object for "${id}", but got ${describeValue(registration)}`,
    );
  }
  for (const key of Object.keys(registration)) {
    if (key !== 'description' && key !== 'defaults') {
      throw new InvalidOptionError(
        `registerEnvironment: expected options among [description, defaults], but got unknown option "${key}"`,
      );
    }
  }
  const { description = '', defaults = {} } = registration;
  if (typeof description !== 'string') {
    throw new InvalidOptionError(
      `registerEnvironment: expected option "description" to be a string, but got ${describeValue(description)}`,
    );
  }
  if (!isPlainObject(defaults)) {
    throw new InvalidOptionError(
      `registerEnvironment: expected option "defaults" to be a plain object, but got ${describeValue(defaults)}`,
    );
  }
  registry.set(id, { factory, description, defaults: frozenCopy(defaults) });
}

/** True when `id` is registered. */
export function hasEnvironment(id: string): boolean {
  return registry.has(id);
}

/** Every registered environment with its description and defaults, sorted by id. */
export function listEnvironments(): EnvironmentListing[] {
  return [...registry.keys()].sort().map((id) => {
    const entry = registry.get(id)!;
    return { id, description: entry.description, defaults: entry.defaults };
  });
}

/**
 * Builds the environment registered as `id` with `options` merged over its defaults (an
 * `undefined` value keeps the default), and records `env.spec = { id, description, options }`.
 */
export function makeEnvironment(id: string, options: Record<string, unknown> = {}): Environment {
  const entry = registry.get(id);
  if (entry === undefined) {
    const known = [...registry.keys()].sort();
    const name = typeof id === 'string' ? id.replace(/-v[0-9]+$/, '') : '';
    const versions = known.filter((k) => k.replace(/-v[0-9]+$/, '') === name);
    const hint = versions.length > 0 ? ` (other versions: ${versions.join(', ')})` : '';
    throw new UnknownIdError(
      `makeEnvironment: expected a registered id (one of ${known.join(', ') || 'none'}), but got ` +
        `${describeValue(id)}${hint}`,
    );
  }
  if (!isPlainObject(options)) {
    throw new InvalidOptionError(
      `makeEnvironment: expected an options object for "${id}", but got ${describeValue(options)}`,
    );
  }
  const merged: Record<string, unknown> = { ...entry.defaults };
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(entry.defaults, key)) {
      const known = Object.keys(entry.defaults);
      throw new InvalidOptionError(
        `makeEnvironment: expected options of "${id}" among [${known.join(', ')}], but got unknown option "${key}"`,
      );
    }
    if (value !== undefined) merged[key] = frozenCopy(value);
  }
  const frozen = Object.freeze(merged);
  const env = entry.factory({ ...frozen });
  env.spec = { id, description: entry.description, options: frozen };
  return env;
}
