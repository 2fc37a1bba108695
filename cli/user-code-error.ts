// Faults of a user's own environment code (a throw in its factory, reset, step or close, at its
// import, a syntax error, a Promise where a result belongs) as EnvironmentError ERR_ENVIRONMENT,
// with the file and line they came from: what the CLI reports in one line, the stack behind --verbose.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, TpropError } from 'tprop';

/** The query of an environment module's import; the same string as in tprop-resolve-hooks.js. */
export const ENVIRONMENT_MARK = 'tprop-environment-module';

/** The environment module on disk whose code is running. */
export interface UserModule {
  /** Its absolute path. */
  readonly path: string;
}

/**
 * ERR_ENVIRONMENT for a fault of the user's code. `stack` is the stack of what the user's code threw
 * when it threw an Error (that is where the fault is), else this error's own (where tprop called it).
 */
export class UserCodeError extends EnvironmentError {
  /** `path:line:column` where it was thrown, or null when nothing tells. */
  readonly location: string | null;
  /** Whether the user's code threw (`cause` is what it threw), rather than returned something wrong. */
  readonly threw: boolean;

  constructor(message: string, options: { location: string | null; threw: boolean; cause?: unknown }) {
    super(message);
    this.location = options.location;
    this.threw = options.threw;
    if (options.threw) this.cause = options.cause;
    const cause = options.cause;
    const stack = options.threw && cause instanceof Error && typeof cause.stack === 'string' ? cause.stack : this.stack;
    this.stack = stack?.replaceAll(`?${ENVIRONMENT_MARK}`, '');
  }
}

/** The folder of tprop's own code (the repository, or dist/ once built): frames there are not the user's. */
const TPROP_HOME = fileURLToPath(new URL('../', import.meta.url));

/** The file, line and column of one stack frame (`    at f (file:///x.js?q:1:2)`), or null. */
function frameOf(line: string): { file: string; line: string; column: string } | null {
  const match = /^\s*at (?:.*?\()?((?:file:\/\/|\/|[A-Za-z]:\\).+?):(\d+):(\d+)\)?\s*$/.exec(line);
  if (match === null) return null;
  const place = match[1]!.replace(/\?[^/\\]*$/, '');
  try {
    return { file: place.startsWith('file:') ? fileURLToPath(place) : place, line: match[2]!, column: match[3]! };
  } catch {
    return null;
  }
}

/**
 * Where `thrown` was thrown, from its stack: the first frame inside the user's module, else the first
 * one outside tprop and node_modules (a file the module imports), else null.
 */
export function locate(thrown: unknown, module: UserModule): string | null {
  if (!(thrown instanceof Error) || typeof thrown.stack !== 'string') return null;
  const frames = thrown.stack.split('\n').flatMap((line) => frameOf(line) ?? []);
  const frame =
    frames.find((f) => f.file === module.path) ??
    frames.find((f) => !f.file.startsWith(TPROP_HOME) && !/[/\\]node_modules[/\\]/.test(f.file));
  return frame === undefined ? null : `${frame.file}:${frame.line}:${frame.column}`;
}

/** A value the user's code threw or returned, for a message: `Error: message` for an Error, else the value, briefly. */
export function describeUserValue(value: unknown): string {
  if (value instanceof Error) return value.message === '' ? value.name : `${value.name}: ${value.message}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object' && value !== null) {
    const name = (value as object).constructor?.name ?? 'object';
    return `an object (${name}) with keys [${Object.keys(value).join(', ')}]`;
  }
  return String(value);
}

/**
 * What a throw of the user's code in `what` (e.g. "step()") becomes: a TpropError keeps its own
 * code and message (the user chose them; the contract's checks read them); anything else is a
 * UserCodeError naming the place it was thrown.
 */
export function userCodeError(what: string, thrown: unknown, module: UserModule): TpropError {
  if (thrown instanceof TpropError) return thrown;
  const location = locate(thrown, module);
  const where = location ?? module.path;
  const hint = thrown instanceof Error ? '' : ', not an Error, so no stack tells where';
  return new UserCodeError(`${where}: ${what} threw ${describeUserValue(thrown)}${hint}`, {
    location,
    threw: true,
    cause: thrown,
  });
}

/** The location of an ES module's syntax error as node reports it (`node --check`), or null. */
function syntaxErrorLocation(path: string): string | null {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // Node puts no location on the SyntaxError of an imported ES module; its syntax check prints one.
  const check = spawnSync(process.execPath, ['--check', '--input-type=module'], {
    input: source,
    encoding: 'utf8',
    timeout: 10_000,
  });
  const match = /^\[stdin\]:(\d+)\n.*\n( *)\^/m.exec(check.stderr ?? '');
  return match === null ? null : `${path}:${match[1]}:${match[2]!.length + 1}`;
}

/** What importing the user's module threw becomes: a syntax error or a throw at import, located. */
export function importError(thrown: unknown, module: UserModule): TpropError {
  if (thrown instanceof TpropError) return thrown;
  // tsx (esbuild) reports a TypeScript module that does not parse as `file:line:column: ERROR: text`, its
  // column counted from 0.
  const failed = thrown instanceof Error && thrown.message.startsWith('Transform failed');
  const parse = failed ? /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec((thrown as Error).message) : null;
  if (parse !== null) {
    const location = `${parse[1]}:${parse[2]}:${Number(parse[3]) + 1}`;
    return new UserCodeError(`${location}: the module does not parse: ${parse[4]}`, {
      location,
      threw: true,
      cause: thrown,
    });
  }
  // A SyntaxError from no frame of the user's code is the module's own source failing to compile (a
  // JSON.parse at import is located by its frames below).
  if (thrown instanceof SyntaxError && locate(thrown, module) === null) {
    // A CommonJS module's SyntaxError has its place at the head of its stack; an ES module's has none.
    const head = /^((?:file:\/\/|\/|[A-Za-z]:\\)[^\n]*?):(\d+)\n/.exec(thrown.stack ?? '');
    const location = head !== null ? `${head[1]}:${head[2]}` : syntaxErrorLocation(module.path);
    if (location !== null) {
      return new UserCodeError(`${location}: the module does not parse: ${thrown.message}`, {
        location,
        threw: true,
        cause: thrown,
      });
    }
  }
  return userCodeError('importing the module', thrown, module);
}
