// Validation of what a client sends: turns a decoded msgpack value into a typed request or
// throws ERR_PROTOCOL naming the field, what was expected and what came.

import type { Topology } from '../src/agent/snapshot.js';
import {
  CONTROL_ACTIONS,
  MAX_DREAM_STEPS,
  MAX_INFER_SAMPLES,
  PARTS,
  type ClientMessage,
  type ControlAction,
  type Part,
  type RequestId,
} from './protocol.js';
import { clientFault, describeValue, quote } from './viewer-error.js';

const FIELDS = {
  subscribe: ['type', 'id', 'parts', 'layers', 'modalities', 'rate'],
  control: ['type', 'id', 'action', 'value', 'token'],
  history: ['type', 'id'],
  dream: ['type', 'id', 'steps', 'temperature', 'seed', 'token'],
  infer: ['type', 'id', 'clamp', 'infer', 'method', 'samples', 'seed', 'token'],
} as const;

type MessageType = keyof typeof FIELDS;

function fail(message: string): never {
  throw clientFault('ERR_PROTOCOL', message);
}

function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Map)
  );
}

function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'string' && value.length <= 128) || (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

/** The request id of a payload, if it has a usable one, so even a rejected request is answered by id. */
export function requestIdOf(payload: unknown): RequestId | undefined {
  return isRecord(payload) && isRequestId(payload.id) ? payload.id : undefined;
}

/** A list of names drawn from `known`, or null for all of them. */
function nameList(where: string, value: unknown, known: readonly string[]): string[] | null {
  if (value === null) return null;
  if (!Array.isArray(value))
    fail(`${where}: expected null or an array of names among [${quoted(known)}], but got ${describeValue(value)}`);
  const seen = new Set<string>();
  value.forEach((name, i) => {
    if (typeof name !== 'string' || !known.includes(name)) {
      fail(`${where}[${i}]: expected one of ${quoted(known)}, but got ${describeValue(name)}`);
    }
    seen.add(name);
  });
  return [...seen];
}

function parseSubscribe(msg: Record<string, unknown>, topology: Topology): ClientMessage {
  const out: {
    type: 'subscribe';
    id?: RequestId;
    parts?: Part[];
    layers?: string[] | null;
    modalities?: string[] | null;
    rate?: number;
  } = { type: 'subscribe' };
  if (msg.id !== undefined) out.id = msg.id as RequestId;
  if (msg.parts !== undefined) {
    if (msg.parts === null)
      fail(`subscribe.parts: expected an array of part names among [${quoted(PARTS)}], but got null`);
    out.parts = nameList('subscribe.parts', msg.parts, PARTS) as Part[];
  }
  if (msg.layers !== undefined)
    out.layers = nameList(
      'subscribe.layers',
      msg.layers,
      topology.layers.map((l) => l.name),
    );
  if (msg.modalities !== undefined)
    out.modalities = nameList(
      'subscribe.modalities',
      msg.modalities,
      topology.modalities.map((m) => m.name),
    );
  if (msg.rate !== undefined) out.rate = rateOf('subscribe.rate', msg.rate);
  return out;
}

function rateOf(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${where}: expected a finite number of frames per second, but got ${describeValue(value)}`);
  }
  return value;
}

function parseControl(msg: Record<string, unknown>): ClientMessage {
  const action = msg.action;
  if (typeof action !== 'string' || !(CONTROL_ACTIONS as readonly string[]).includes(action)) {
    fail(`control.action: expected one of ${quoted(CONTROL_ACTIONS)}, but got ${describeValue(action)}`);
  }
  if (msg.token !== undefined && typeof msg.token !== 'string') {
    fail(`control.token: expected a string, but got ${describeValue(msg.token)}`);
  }
  const out: { type: 'control'; id?: RequestId; action: ControlAction; value?: number; token?: string } = {
    type: 'control',
    action: action as ControlAction,
  };
  if (msg.id !== undefined) out.id = msg.id as RequestId;
  if (typeof msg.token === 'string') out.token = msg.token;
  if (action === 'rate') {
    out.value = rateOf('control.value', msg.value);
  } else if (msg.value !== undefined) {
    fail(`control.value: expected no value for action "${action}", but got ${describeValue(msg.value)}`);
  }
  return out;
}

function parseDream(msg: Record<string, unknown>): ClientMessage {
  const { steps = 50, temperature = 1, seed = 0, token } = msg;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_DREAM_STEPS)
    fail(`dream.steps: expected an integer in [1, ${MAX_DREAM_STEPS}], but got ${describeValue(steps)}`);
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0 || temperature > 10)
    fail(`dream.temperature: expected a number in [0, 10], but got ${describeValue(temperature)}`);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    fail(`dream.seed: expected a safe integer, but got ${describeValue(seed)}`);
  if (token !== undefined && typeof token !== 'string')
    fail(`dream.token: expected a string, but got ${describeValue(token)}`);
  return {
    type: 'dream',
    steps,
    temperature,
    seed,
    ...(msg.id !== undefined && { id: msg.id as RequestId }),
    ...(typeof token === 'string' && { token }),
  };
}

/** The side modalities of the topology (all but the next input), each with its size. */
function sideModalities(topology: Topology): Map<string, { kind: string; size: number }> {
  return new Map(topology.modalities.filter((m) => m.name !== 'next').map((m) => [m.name, m]));
}

function parseInfer(msg: Record<string, unknown>, topology: Topology): ClientMessage {
  const side = sideModalities(topology);
  const names = [...side.keys()];
  const { clamp = {}, method = 'map', samples = 1, seed = 0, token } = msg;
  const infer = nameList('infer.infer', msg.infer ?? [], names) ?? [];
  if (infer.length === 0) fail(`infer.infer: expected the names of side modalities to infer among [${quoted(names)}]`);
  if (!isRecord(clamp))
    fail(`infer.clamp: expected a map of modality names to values, but got ${describeValue(clamp)}`);
  const clamped: Record<string, number | number[]> = {};
  for (const [name, value] of Object.entries(clamp)) {
    const m = side.get(name);
    if (m === undefined || infer.includes(name))
      fail(`infer.clamp: expected side modalities not inferred among [${quoted(names)}], but got ${quote(name)}`);
    const ok =
      m.kind === 'categorical'
        ? typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < m.size
        : Array.isArray(value) &&
          value.length === m.size &&
          value.every((v) => typeof v === 'number' && Number.isFinite(v));
    const expected = m.kind === 'categorical' ? `a class in [0, ${m.size})` : `${m.size} finite numbers`;
    if (!ok) fail(`infer.clamp.${name}: expected ${expected}, but got ${describeValue(value)}`);
    clamped[name] = value as number | number[];
  }
  if (method !== 'map' && method !== 'mcmc')
    fail(`infer.method: expected "map" or "mcmc", but got ${describeValue(method)}`);
  if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 1 || samples > MAX_INFER_SAMPLES)
    fail(`infer.samples: expected an integer in [1, ${MAX_INFER_SAMPLES}], but got ${describeValue(samples)}`);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    fail(`infer.seed: expected a safe integer, but got ${describeValue(seed)}`);
  if (token !== undefined && typeof token !== 'string')
    fail(`infer.token: expected a string, but got ${describeValue(token)}`);
  return {
    type: 'infer',
    clamp: clamped,
    infer,
    method,
    samples,
    seed,
    ...(msg.id !== undefined && { id: msg.id as RequestId }),
    ...(typeof token === 'string' && { token }),
  };
}

/** Checks a decoded payload against the protocol; throws ERR_PROTOCOL on the first fault. */
export function parseClientMessage(payload: unknown, topology: Topology): ClientMessage {
  if (!isRecord(payload)) {
    fail(`message: expected a map with a string "type", but got ${describeValue(payload)}`);
  }
  const type = payload.type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
    fail(`message.type: expected one of ${quoted(Object.keys(FIELDS))}, but got ${describeValue(type)}`);
  }
  if (payload.id !== undefined && !isRequestId(payload.id)) {
    fail(
      `${type}.id: expected a string of at most 128 characters or a safe integer, but got ${describeValue(payload.id)}`,
    );
  }
  const allowed: readonly string[] = FIELDS[type as MessageType];
  for (const key of Object.keys(payload)) {
    if (!allowed.includes(key))
      fail(`${type}: expected fields among [${allowed.join(', ')}], but got unknown field ${quote(key)}`);
  }
  if (type === 'history') return payload.id === undefined ? { type } : { type, id: payload.id as RequestId };
  if (type === 'dream') return parseDream(payload);
  if (type === 'infer') return parseInfer(payload, topology);
  return type === 'subscribe' ? parseSubscribe(payload, topology) : parseControl(payload);
}
