// The flags of `tprop run`, read with node:util's parseArgs and checked once, here: everything
// after this point works with typed, valid options, and every misuse is named by its flag.

import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

export interface ViewerFlags {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly exitWhenDone: boolean;
}

export interface RunOptions {
  /** A registered id, or the path of an environment module. */
  readonly environment: string;
  readonly envOptions: Record<string, unknown>;
  /** For a data file (.csv, .tsv, .jsonl, .ndjson): its columns, labels and timestamp, from the flags. */
  readonly data: DataFlags;
  /** The kind given with --agent, if any (the default is applied where the agent is made). */
  readonly agent: string | undefined;
  readonly config: string | undefined;
  readonly load: string | undefined;
  readonly save: string | undefined;
  readonly steps: number | undefined;
  readonly episodes: number | undefined;
  readonly seed: number | undefined;
  readonly json: boolean;
  readonly progressSteps: number | undefined;
  /** null without --viewer. */
  readonly viewer: ViewerFlags | null;
  readonly frameMs: number;
  /** A user's error is followed by its stack (for a throw of their environment's code, that code's). */
  readonly verbose: boolean;
  /** With --watch: the NATS server the watched agent publishes its frames on. */
  readonly nats: string | undefined;
  /** The agent (on NATS) whose frames the viewer shows instead of a run of its own; undefined without. */
  readonly watch: string | undefined;
  /** --workers W: the run is sharded over W worker threads (undefined: one run on the main thread). */
  readonly workers: number | undefined;
  /** --streams S with --workers: the streams of the whole run (default W). */
  readonly streams: number | undefined;
}

export interface DataFlags {
  readonly columns: string[] | undefined;
  readonly labels: string[] | undefined;
  readonly timestamp: string | undefined;
  readonly timeFeatures: boolean;
}

export type ParsedRun = { readonly help: true } | { readonly help: false; readonly options: RunOptions };

const FLAGS = {
  agent: { type: 'string' },
  config: { type: 'string' },
  load: { type: 'string' },
  save: { type: 'string' },
  steps: { type: 'string' },
  episodes: { type: 'string' },
  seed: { type: 'string' },
  'env-options': { type: 'string' },
  columns: { type: 'string' },
  labels: { type: 'string' },
  timestamp: { type: 'string' },
  'time-features': { type: 'boolean' },
  json: { type: 'boolean' },
  'progress-steps': { type: 'string' },
  viewer: { type: 'boolean' },
  'exit-when-done': { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'frame-ms': { type: 'string' },
  verbose: { type: 'boolean' },
  nats: { type: 'string' },
  watch: { type: 'string' },
  workers: { type: 'string' },
  streams: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Every long flag of `tprop run` (the help text must mention each). */
export const RUN_FLAG_NAMES: readonly string[] = Object.freeze(Object.keys(FLAGS));

const VIEWER_ONLY = ['exit-when-done', 'host', 'port', 'token'] as const;
const DATA_ONLY = ['columns', 'labels', 'timestamp', 'time-features'] as const;

/** A data file, by its extension: replayed by DataStream, with the data flags. */
export function isDataPath(argument: string): boolean {
  return /\.(?:csv|tsv|jsonl|ndjson)$/i.test(argument);
}

/** `a,b` as ["a", "b"]; names are trimmed, and none may be empty. */
function names(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((name) => name.trim());
  if (list.some((name) => name === ''))
    throw new CliError(`--${flag}: expected column names separated by commas, but got ${JSON.stringify(text)}`);
  return list;
}
export const VIEWER_DEFAULT_HOST = '127.0.0.1';
export const VIEWER_DEFAULT_PORT = 8080;

function integer(
  flag: string,
  text: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new CliError(`--${flag}: expected an integer ${range}, but got ${JSON.stringify(text)}`);
  }
  return value;
}

function jsonObject(flag: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--${flag}: expected a JSON object such as '{"length":20}', but ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`--${flag}: expected a JSON object such as '{"length":20}', but got ${JSON.stringify(text)}`);
  }
  return value as Record<string, unknown>;
}

function nonEmpty(flag: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.length === 0)
    throw new CliError(`--${flag}: expected a value, but got an empty string`);
  return text;
}

/** `--seed -3` as `--seed=-3`: parseArgs takes a value starting with a dash for a forgotten one. */
function joinNegativeNumbers(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const flag = arg.startsWith('--') ? (FLAGS as Record<string, { type: string }>)[arg.slice(2)] : undefined;
    const next = args[i + 1];
    if (flag?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

const parse = (args: readonly string[]) =>
  parseArgs({ args: joinNegativeNumbers(args), options: FLAGS, allowPositionals: true, strict: true });

/** Reads the arguments after `run`; throws a CliError naming the first flag that is wrong. */
export function parseRunArgs(args: readonly string[]): ParsedRun {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const flag = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined)
      throw new CliError(`run: unknown flag ${flag} (see tprop run --help)`);
    // Otherwise parseArgs words its errors well; only their form changes (a code, one line).
    throw new CliError(`run: ${message} (see tprop run --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (values.watch !== undefined || values.nats !== undefined) return watchArgs(values, positionals);
  if (positionals.length !== 1) {
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(', ');
    throw new CliError(
      `run: expected one environment (an id such as Reber-v0, see tprop list, or a module path), but got ${got}`,
    );
  }
  if (!values.viewer) {
    const stray = VIEWER_ONLY.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new CliError(`--${stray}: only applies with --viewer`);
  }
  if (!isDataPath(positionals[0]!)) {
    const stray = DATA_ONLY.find((flag) => values[flag] !== undefined);
    if (stray !== undefined)
      throw new CliError(`--${stray}: only applies to a data file (.csv, .tsv, .jsonl, .ndjson)`);
  }
  if (values.load !== undefined) {
    const stray = (['config', 'agent'] as const).find((flag) => values[flag] !== undefined);
    // One source of truth: a checkpoint holds the kind and options its agent was made with.
    if (stray !== undefined)
      throw new CliError(
        `--${stray}: cannot be combined with --load, which restores the agent's kind and options from the checkpoint`,
      );
  }
  const workers = integer('workers', values.workers, 1, 1024);
  const streams = integer('streams', values.streams, 1);
  if (workers === undefined && streams !== undefined) throw new CliError('--streams: only applies with --workers');
  if (workers !== undefined) shardedFlags(values, positionals[0]!, workers, streams);
  const viewer: ViewerFlags | null = values.viewer
    ? {
        host: nonEmpty('host', values.host) ?? VIEWER_DEFAULT_HOST,
        port: integer('port', values.port, 0, 65_535) ?? VIEWER_DEFAULT_PORT,
        token: nonEmpty('token', values.token),
        exitWhenDone: values['exit-when-done'] === true,
      }
    : null;
  const frameText = values['frame-ms'];
  const frameMs = frameText === undefined ? (viewer ? 16 : 1000) : Number(frameText);
  if (!Number.isFinite(frameMs) || frameMs < 0 || frameText?.trim() === '') {
    throw new CliError(`--frame-ms: expected a number of milliseconds >= 0, but got ${JSON.stringify(frameText)}`);
  }
  return {
    help: false,
    options: {
      environment: positionals[0]!,
      envOptions: jsonObject('env-options', values['env-options']),
      data: {
        columns: names('columns', values.columns),
        labels: names('labels', values.labels),
        timestamp: nonEmpty('timestamp', values.timestamp),
        timeFeatures: values['time-features'] === true,
      },
      agent: nonEmpty('agent', values.agent),
      config: nonEmpty('config', values.config),
      load: nonEmpty('load', values.load),
      save: nonEmpty('save', values.save),
      steps: integer('steps', values.steps, 1),
      episodes: integer('episodes', values.episodes, 1),
      seed: integer('seed', values.seed, Number.MIN_SAFE_INTEGER),
      json: values.json === true,
      progressSteps: integer('progress-steps', values['progress-steps'], 1),
      viewer,
      frameMs,
      verbose: values.verbose === true,
      nats: undefined,
      watch: undefined,
      workers,
      streams,
    },
  };
}

/** `run --viewer --nats URL --watch AGENT`: a viewer of an agent elsewhere; only the viewer's flags apply. */
function watchArgs(values: ReturnType<typeof parse>['values'], positionals: string[]): ParsedRun {
  if (values.watch === undefined) throw new CliError('--nats: with run, only applies with --watch AGENT');
  if (!values.viewer) throw new CliError('--watch: only applies with --viewer (it serves the page of a remote agent)');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(values.watch))
    throw new CliError(`--watch: expected an agent name such as demo-0, but got ${JSON.stringify(values.watch)}`);
  if (positionals.length > 0)
    throw new CliError(
      `run: with --watch, expected no environment (the agent learns elsewhere), but got ${positionals[0]}`,
    );
  const allowed = new Set(['viewer', 'exit-when-done', 'host', 'port', 'token', 'nats', 'watch', 'verbose']);
  const stray = Object.keys(values).find((flag) => !allowed.has(flag));
  if (stray !== undefined) throw new CliError(`--${stray}: does not apply with --watch`);
  return {
    help: false,
    options: {
      environment: '',
      envOptions: {},
      data: { columns: undefined, labels: undefined, timestamp: undefined, timeFeatures: false },
      agent: undefined,
      config: undefined,
      load: undefined,
      save: undefined,
      steps: undefined,
      episodes: undefined,
      seed: undefined,
      json: false,
      progressSteps: undefined,
      viewer: {
        host: nonEmpty('host', values.host) ?? VIEWER_DEFAULT_HOST,
        port: integer('port', values.port, 0, 65_535) ?? VIEWER_DEFAULT_PORT,
        token: nonEmpty('token', values.token),
        exitWhenDone: values['exit-when-done'] === true,
      },
      frameMs: 0,
      verbose: values.verbose === true,
      nats: nonEmpty('nats', values.nats) ?? 'nats://127.0.0.1:4222',
      watch: values.watch,
      workers: undefined,
      streams: undefined,
    },
  };
}

/** Flags that a sharded run (--workers) does not take, each with the reason. */
const NOT_SHARDED: Readonly<Record<string, string>> = {
  load: 'a sharded run has one agent per worker, and checkpoints hold one agent',
  save: 'a sharded run has one agent per worker, and checkpoints hold one agent',
  episodes: "each stream's episodes end at their own steps; use --steps (steps of each stream)",
  'progress-steps': 'the workers report their progress by the clock',
};

function shardedFlags(
  values: ReturnType<typeof parse>['values'],
  environment: string,
  workers: number,
  streams: number | undefined,
): void {
  const stray = Object.keys(NOT_SHARDED).find((flag) => values[flag as keyof typeof values] !== undefined);
  if (stray !== undefined) throw new CliError(`--${stray}: cannot be combined with --workers: ${NOT_SHARDED[stray]}`);
  if (isDataPath(environment))
    throw new CliError('--workers: expected an environment id or module, but got a data file (it is one stream)');
  if (streams !== undefined && streams < workers)
    throw new CliError(`--streams: expected at least one stream per worker (>= ${workers}), but got ${streams}`);
}
