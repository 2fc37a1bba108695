// The flags of the commands that work over NATS (`tprop env`, `tprop agent`, `tprop replay`), read
// with node:util's parseArgs and checked once, here, as run-options.ts does for `tprop run`.

import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

/** The server a command connects to without --nats (the same as tprop/cluster's DEFAULT_NATS_URL). */
export const NATS_DEFAULT_URL = 'nats://127.0.0.1:4222';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface EnvCommandOptions {
  readonly environment: string;
  readonly envOptions: Record<string, unknown>;
  readonly nats: string;
  readonly run: string;
  readonly streams: number;
  readonly steps: number | undefined;
  readonly seed: number;
  readonly rate: number | undefined;
  readonly json: boolean;
}

export interface AgentCommandOptions {
  readonly nats: string;
  readonly run: string;
  readonly agent: string | undefined;
  readonly config: string | undefined;
  readonly seed: number | undefined;
  /** A list of streams, a share index/count, 'auto' (by leases), or every stream. */
  readonly streams: readonly number[] | { readonly index: number; readonly count: number } | 'auto' | undefined;
  readonly leaseMs: number | undefined;
  readonly ackWaitMs: number | undefined;
  readonly checkpointEvery: number | undefined;
  readonly frameMs: number | undefined;
  readonly predictions: boolean;
  readonly json: boolean;
}

export interface ReplayCommandOptions {
  readonly nats: string;
  readonly from: string;
  readonly run: string;
  readonly rate: 'original' | 'fast';
}

export type Parsed<T> = { readonly help: true } | { readonly help: false; readonly options: T };

const COMMON = {
  nats: { type: 'string' },
  run: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ENV_FLAGS = {
  ...COMMON,
  'env-options': { type: 'string' },
  streams: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
} as const;

const AGENT_FLAGS = {
  ...COMMON,
  agent: { type: 'string' },
  config: { type: 'string' },
  seed: { type: 'string' },
  share: { type: 'string' },
  streams: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'frame-ms': { type: 'string' },
  'no-predictions': { type: 'boolean' },
  'lease-ms': { type: 'string' },
  'ack-wait-ms': { type: 'string' },
} as const;

const REPLAY_FLAGS = { ...COMMON, from: { type: 'string' }, rate: { type: 'string' } } as const;

/** Every long flag of each command (its help text must mention each). */
export const NATS_FLAG_NAMES: Readonly<Record<'env' | 'agent' | 'replay', readonly string[]>> = Object.freeze({
  env: Object.keys(ENV_FLAGS),
  agent: Object.keys(AGENT_FLAGS),
  replay: Object.keys(REPLAY_FLAGS),
});

type Flags = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** `--seed -3` as `--seed=-3`: parseArgs takes a value starting with a dash for a forgotten one. */
function joinNegativeNumbers(flags: Flags, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && flags[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function read(command: string, flags: Flags, args: readonly string[]) {
  try {
    return parseArgs({ args: joinNegativeNumbers(flags, args), options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const flag = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined)
      throw new CliError(`${command}: unknown flag ${flag} (see tprop ${command} --help)`);
    throw new CliError(`${command}: ${message} (see tprop ${command} --help)`);
  }
}

function integer(flag: string, text: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !/^-?\d+$/.test(text.trim()) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new CliError(`--${flag}: expected an integer ${range}, but got ${JSON.stringify(text)}`);
  }
  return value;
}

function positive(flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new CliError(`--${flag}: expected a number > 0, but got ${JSON.stringify(text)}`);
  return value;
}

function name(flag: string, text: unknown, required: boolean): string {
  if (text === undefined && required) throw new CliError(`--${flag}: expected a name, such as --${flag} demo`);
  if (typeof text !== 'string' || !NAME.test(text)) {
    throw new CliError(
      `--${flag}: expected 1 to 64 letters, digits, "_" or "-" (a NATS subject token), but got ${JSON.stringify(text)}`,
    );
  }
  return text;
}

function url(text: unknown): string {
  if (text === undefined) return NATS_DEFAULT_URL;
  if (typeof text !== 'string' || text.trim() === '')
    throw new CliError(`--nats: expected a server URL such as ${NATS_DEFAULT_URL}, but got an empty string`);
  return text;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0)
    throw new CliError(`${command}: expected only flags, but got ${JSON.stringify(positionals[0])}`);
}

export function parseEnvArgs(args: readonly string[]): Parsed<EnvCommandOptions> {
  const { values, positionals } = read('env', ENV_FLAGS, args);
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new CliError(
      `env: expected one environment (an id such as Reber-v0, see tprop list, or a module path), but got ` +
        `${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(', ')}`,
    );
  }
  let envOptions: Record<string, unknown> = {};
  if (values['env-options'] !== undefined) {
    try {
      envOptions = JSON.parse(values['env-options'] as string) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(
        `--env-options: expected a JSON object such as '{"length":20}', but ${(error as Error).message}`,
      );
    }
    if (typeof envOptions !== 'object' || envOptions === null || Array.isArray(envOptions))
      throw new CliError(`--env-options: expected a JSON object such as '{"length":20}'`);
  }
  return {
    help: false,
    options: {
      environment: positionals[0]!,
      envOptions,
      nats: url(values.nats),
      run: name('run', values.run, true),
      streams: integer('streams', values.streams, 1, 10_000) ?? 1,
      steps: integer('steps', values.steps, 1),
      seed: integer('seed', values.seed, Number.MIN_SAFE_INTEGER) ?? 0,
      rate: positive('rate', values.rate),
      json: values.json === true,
    },
  };
}

function streamsOf(values: Record<string, unknown>): AgentCommandOptions['streams'] {
  if (values.share !== undefined && values.streams !== undefined)
    throw new CliError('--share: cannot be combined with --streams; give one of them');
  if (values.share === 'auto') return 'auto';
  if (values.share !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(String(values.share));
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (match === null || count < 1 || index >= count)
      throw new CliError(
        `--share: expected K/N with 0 <= K < N, such as 0/2, or auto, but got ${JSON.stringify(values.share)}`,
      );
    return { index, count };
  }
  if (values.streams === undefined) return undefined;
  const list = String(values.streams)
    .split(',')
    .map((s) => s.trim());
  if (list.some((s) => !/^\d+$/.test(s)))
    throw new CliError(`--streams: expected stream numbers such as 0,1,5, but got ${JSON.stringify(values.streams)}`);
  return list.map(Number);
}

export function parseAgentArgs(args: readonly string[]): Parsed<AgentCommandOptions> {
  const { values, positionals } = read('agent', AGENT_FLAGS, args);
  if (values.help) return { help: true };
  noPositionals('agent', positionals);
  return {
    help: false,
    options: {
      nats: url(values.nats),
      run: name('run', values.run, true),
      agent: values.agent as string | undefined,
      config: values.config as string | undefined,
      seed: integer('seed', values.seed, Number.MIN_SAFE_INTEGER),
      streams: streamsOf(values),
      checkpointEvery: integer('checkpoint-every', values['checkpoint-every'], 1),
      frameMs: integer('frame-ms', values['frame-ms'], 0),
      predictions: values['no-predictions'] !== true,
      leaseMs: integer('lease-ms', values['lease-ms'], 500),
      ackWaitMs: integer('ack-wait-ms', values['ack-wait-ms'], 1000),
      json: values.json === true,
    },
  };
}

export function parseReplayArgs(args: readonly string[]): Parsed<ReplayCommandOptions> {
  const { values, positionals } = read('replay', REPLAY_FLAGS, args);
  if (values.help) return { help: true };
  noPositionals('replay', positionals);
  const rate = values.rate ?? 'fast';
  if (rate !== 'original' && rate !== 'fast')
    throw new CliError(`--rate: expected "original" or "fast", but got ${JSON.stringify(rate)}`);
  return {
    help: false,
    options: {
      nats: url(values.nats),
      from: name('from', values.from, true),
      run: name('run', values.run, true),
      rate,
    },
  };
}
